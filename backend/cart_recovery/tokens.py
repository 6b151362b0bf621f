"""The two links in a cart reminder: restore the cart, and unsubscribe.

Both are signed JWTs (joserfc, Authlib's JOSE implementation) with an expiry and a
purpose: each purpose has its own key derived from SECRET_KEY and its own `typ` claim, so
a restore link can never be used to unsubscribe (or an API token as either). Nothing is
stored: the restore link names the reminder (whose lines are in the database), the
unsubscribe link names the address.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from backend.core.clock import utcnow
from backend.core.keys import InsecureSecretKeyError, derive_key
from backend.settings import get_settings

RESTORE_LINK_TTL = timedelta(days=14)
# Unsubscribe links must keep working long after the e-mail was sent.
UNSUBSCRIBE_LINK_TTL = timedelta(days=365)
ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 1000

Purpose = Literal["cart_restore", "cart_reminder_unsubscribe"]


def _signing_key(purpose: Purpose) -> OctKey:
    return OctKey.import_key(derive_key(purpose))


def _issue(purpose: Purpose, subject: str, ttl: timedelta, now: datetime | None) -> str:
    issued = now or utcnow()
    claims = {
        "iss": get_settings().public_base_url,
        "sub": subject,
        "typ": purpose,
        # No "iat": joserfc refuses a token issued "in the future", and the reminder job
        # may run on a clock set ahead (operators catching up, tests); expiry is what counts.
        "exp": int((issued + ttl).timestamp()),
    }
    return jwt.encode({"alg": ALGORITHM}, claims, _signing_key(purpose))


def _read(purpose: Purpose, token: str, now: datetime | None) -> str | None:
    """The subject of a valid token of this purpose, else None (tampered, expired, other
    purpose, malformed)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        decoded = jwt.decode(token, _signing_key(purpose), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            now=int((now or utcnow()).timestamp()),
            iss={"essential": True, "value": get_settings().public_base_url},
            sub={"essential": True},
            exp={"essential": True},
            typ={"essential": True, "value": purpose},
        ).validate(decoded.claims)
        return str(decoded.claims["sub"])
    except (JoseError, ValueError, KeyError, TypeError, InsecureSecretKeyError):
        return None


def restore_token(reminder_id: uuid.UUID, *, now: datetime | None = None) -> str:
    return _issue("cart_restore", str(reminder_id), RESTORE_LINK_TTL, now)


def read_restore_token(token: str, *, now: datetime | None = None) -> uuid.UUID | None:
    subject = _read("cart_restore", token, now)
    try:
        return uuid.UUID(subject) if subject else None
    except ValueError:
        return None


def unsubscribe_token(email: str, *, now: datetime | None = None) -> str:
    return _issue("cart_reminder_unsubscribe", email.lower(), UNSUBSCRIBE_LINK_TTL, now)


def read_unsubscribe_token(token: str, *, now: datetime | None = None) -> str | None:
    return _read("cart_reminder_unsubscribe", token, now)
