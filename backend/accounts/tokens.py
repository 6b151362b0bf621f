"""API tokens: short-lived access JWTs (JOSE, via joserfc, Authlib's JOSE implementation)
and rotating refresh tokens stored hashed.

Every refresh returns a new refresh token and spends the old one; presenting a spent one
again means it leaked, so the whole family (every token descended from one sign-in) is
revoked. Sign-out, password change and reset revoke refresh tokens too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import update
from sqlmodel import col, select

from backend.accounts.browser_sessions import viewer_for
from backend.accounts.errors import InvalidTokenError
from backend.accounts.locks import lock_refresh_token_for_update
from backend.accounts.models import RefreshToken, User
from backend.accounts.schemas import AccessClaims, TokenPair, Viewer
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.keys import InsecureSecretKeyError, derive_key
from backend.settings import get_settings

logger = logging.getLogger(__name__)

ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)
ALGORITHM = "HS256"
INVALID_TOKEN_MESSAGE = "The token is invalid or has expired."  # noqa: S105  (a message)


def _signing_key() -> OctKey:
    # Derived, so the raw SECRET_KEY is never used directly as a JWT key.
    return OctKey.import_key(derive_key("access-jwt"))


def access_token_audience() -> str:
    """Whom access tokens are for: this shop's REST API, and nothing else that shares the
    key (a JWT made for another purpose or service is refused even when its signature,
    issuer and expiry are good)."""
    return get_settings().public_base_url + "/api/v1"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _access_token(viewer: Viewer) -> str:
    now = utcnow()
    claims = {
        "iss": get_settings().public_base_url,
        "aud": access_token_audience(),
        "sub": str(viewer.user_id),
        # For the client to know what to show; the API reads the account again each time.
        "permissions": sorted(permission.value for permission in viewer.permissions),
        "iat": int(now.timestamp()),
        "exp": int((now + ACCESS_TOKEN_TTL).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    return jwt.encode({"alg": ALGORITHM}, claims, _signing_key())


async def issue_tokens(user_id: uuid.UUID, *, family_id: uuid.UUID | None = None) -> TokenPair:
    refresh = secrets.token_urlsafe(32)
    async with session_scope() as session:
        user = await session.get(User, user_id)
        if user is None or user.status != "active":
            raise InvalidTokenError(INVALID_TOKEN_MESSAGE)
        viewer = await viewer_for(session, user)
        session.add(
            RefreshToken(
                user_id=user_id,
                family_id=family_id or uuid.uuid4(),
                token_hash=_hash(refresh),
                expires_at=utcnow() + REFRESH_TOKEN_TTL,
            )
        )
    return TokenPair(
        access_token=_access_token(viewer),
        refresh_token=refresh,
        expires_in=int(ACCESS_TOKEN_TTL.total_seconds()),
    )


async def refresh_tokens(refresh_token: str) -> TokenPair:
    """Spend a refresh token for a new pair. A reused token revokes its whole family."""
    async with session_scope() as session:
        record = await lock_refresh_token_for_update(session, _hash(refresh_token))
        if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
            raise InvalidTokenError(INVALID_TOKEN_MESSAGE)
        if record.used_at is not None:
            await session.exec(
                update(RefreshToken)
                .where(col(RefreshToken.family_id) == record.family_id)
                .values(revoked_at=utcnow())
            )
            reused = True
        else:
            record.used_at = utcnow()
            reused = False
        user_id, family_id = record.user_id, record.family_id
    if reused:
        raise InvalidTokenError(INVALID_TOKEN_MESSAGE)
    return await issue_tokens(user_id, family_id=family_id)


async def revoke_refresh_token(refresh_token: str) -> None:
    """Sign-out for API clients: this token's whole family stops working."""
    async with session_scope() as session:
        record = (
            await session.exec(
                select(RefreshToken).where(RefreshToken.token_hash == _hash(refresh_token))
            )
        ).first()
        if record is not None:
            await session.exec(
                update(RefreshToken)
                .where(col(RefreshToken.family_id) == record.family_id)
                .values(revoked_at=utcnow())
            )


def verify_access_token(token: str) -> AccessClaims:
    """Check signature, expiry, issuer, audience and type; the claims it carries."""
    try:
        decoded = jwt.decode(token, _signing_key(), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": get_settings().public_base_url},
            aud={"essential": True, "value": access_token_audience()},
            sub={"essential": True},
            exp={"essential": True},
            typ={"essential": True, "value": "access"},
        ).validate(decoded.claims)
        return AccessClaims(user_id=uuid.UUID(decoded.claims["sub"]))
    except InsecureSecretKeyError as error:
        logger.error("refused an access token: %s", error)
        raise InvalidTokenError(INVALID_TOKEN_MESSAGE) from error
    except (JoseError, ValueError, KeyError) as error:
        raise InvalidTokenError(INVALID_TOKEN_MESSAGE) from error


async def resolve_access_token(access_token: str) -> Viewer:
    """The viewer behind an API access token: signature, expiry and type checked, then the
    account read now, so a locked or removed account stops at once and permissions are as they
    are now, not as the token says. Raises InvalidTokenError."""
    claims = verify_access_token(access_token)
    async with session_scope() as session:
        user = await session.get(User, claims.user_id)
        if user is None or user.status != "active":
            raise InvalidTokenError(INVALID_TOKEN_MESSAGE)
        return await viewer_for(session, user)
