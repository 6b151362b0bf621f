"""Use cases of the accounts domain: the only code that writes users, roles and sessions."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords
from backend.accounts.errors import (
    AccountNotActiveError,
    DuplicateAccountError,
    InvalidCredentialsError,
)
from backend.accounts.events import EmailVerificationRequested, UserRegistered
from backend.accounts.models import AccountToken, Role, User, UserRole, UserSession
from backend.accounts.roles import ROLE_DESCRIPTIONS, RoleName
from backend.accounts.schemas import SignedIn, Viewer
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.outbox import record_event
from backend.settings import get_settings

SIGN_IN_FAILED_MESSAGE = "That e-mail and password do not match an account."


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def ensure_roles() -> None:
    """Create the built-in roles if missing (idempotent)."""
    async with session_scope() as session:
        for name, description in ROLE_DESCRIPTIONS.items():
            await session.exec(
                insert(Role)
                .values(name=name.value, description=description)
                .on_conflict_do_nothing(index_elements=["name"])
            )


async def create_user(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    status: str = "pending",
    email_verified: bool = False,
    roles: frozenset[RoleName] = frozenset({RoleName.USER}),
) -> uuid.UUID:
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    try:
        async with session_scope() as session:
            user = User(
                username=username,
                email=email.strip(),
                password_hash=password_hash,
                first_name=first_name,
                last_name=last_name,
                status=status,
                email_verified=email_verified,
            )
            session.add(user)
            await session.flush()
            await _grant_roles(session, user.id, roles)
            await record_event(
                session,
                UserRegistered(aggregate_id=str(user.id), email=user.email, username=username),
            )
            if not email_verified:
                await record_event(
                    session,
                    EmailVerificationRequested(
                        aggregate_id=str(user.id),
                        email=user.email,
                        display_name=_display_name(user),
                    ),
                )
            return user.id
    except IntegrityError as exc:
        if "users_email_idx" in str(exc.orig) or "users_username_idx" in str(exc.orig):
            raise DuplicateAccountError(
                "An account with this e-mail or username already exists."
            ) from exc
        raise


async def _grant_roles(
    session: AsyncSession, user_id: uuid.UUID, roles: frozenset[RoleName]
) -> None:
    role_rows = await session.exec(select(Role).where(col(Role.name).in_([r.value for r in roles])))
    for role in role_rows:
        await session.exec(
            insert(UserRole)
            .values(user_id=user_id, role_id=role.id)
            .on_conflict_do_nothing(index_elements=["user_id", "role_id"])
        )


async def sign_in(*, email: str, password: str, user_agent: str | None = None) -> SignedIn:
    """Check the password and open a server-side session for this browser."""
    async with session_scope() as session:
        user = (
            await session.exec(select(User).where(func.lower(User.email) == email.strip().lower()))
        ).first()
        stored_hash = user.password_hash if user else None
        if not await asyncio.to_thread(passwords.verify_password, stored_hash, password):
            raise InvalidCredentialsError(SIGN_IN_FAILED_MESSAGE)
        assert user is not None
        if user.status != "active":
            raise AccountNotActiveError(
                "This account is not active yet or has been disabled.", status=user.status
            )
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(passwords.hash_password, password)
        user.last_login_at = utcnow()
        token = secrets.token_urlsafe(32)
        session.add(
            UserSession(
                user_id=user.id,
                token_hash=_hash_token(token),
                expires_at=utcnow() + timedelta(seconds=get_settings().session_max_age_seconds),
                user_agent=(user_agent or "")[:255] or None,
            )
        )
        viewer = await _viewer_for(session, user)
    return SignedIn(session_token=token, viewer=viewer)


async def resolve_session(session_token: str | None) -> Viewer | None:
    """The viewer behind a session cookie, or None if it is unknown, expired or revoked."""
    if not session_token:
        return None
    async with session_scope() as session:
        row = (
            await session.exec(
                select(User)
                .join(UserSession, col(UserSession.user_id) == col(User.id))
                .where(
                    UserSession.token_hash == _hash_token(session_token),
                    col(UserSession.revoked_at).is_(None),
                    col(UserSession.expires_at) > utcnow(),
                    User.status == "active",
                )
            )
        ).first()
        if row is None:
            return None
        return await _viewer_for(session, row)


async def sign_out(session_token: str | None) -> None:
    if not session_token:
        return
    async with session_scope() as session:
        await session.exec(
            update(UserSession)
            .where(
                col(UserSession.token_hash) == _hash_token(session_token),
                col(UserSession.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )


async def _viewer_for(session: AsyncSession, user: User) -> Viewer:
    role_names = await session.exec(
        select(Role.name)
        .join(UserRole, col(UserRole.role_id) == col(Role.id))
        .where(UserRole.user_id == user.id)
    )
    return Viewer(
        user_id=user.id,
        username=user.username,
        email=user.email,
        display_name=_display_name(user),
        roles=frozenset(RoleName(name) for name in role_names),
    )


def _display_name(user: User) -> str:
    full_name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return full_name or user.username


EMAIL_VERIFICATION_TTL = timedelta(hours=48)
PASSWORD_RESET_TTL = timedelta(minutes=60)


async def issue_account_token(user_id: uuid.UUID, *, purpose: str, ttl: timedelta) -> str:
    """A new single-use token for an e-mailed link; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    async with session_scope() as session:
        session.add(
            AccountToken(
                user_id=user_id,
                purpose=purpose,
                token_hash=_hash_token(token),
                expires_at=utcnow() + ttl,
            )
        )
    return token


async def verify_email(token: str) -> bool:
    """Use a verification token: the address is confirmed and a pending account becomes
    active. False when the token is unknown, used or expired."""
    async with session_scope() as session:
        record = (
            await session.exec(
                select(AccountToken)
                .where(
                    AccountToken.token_hash == _hash_token(token),
                    AccountToken.purpose == "verify_email",
                    col(AccountToken.used_at).is_(None),
                    col(AccountToken.expires_at) > utcnow(),
                )
                .with_for_update()
            )
        ).first()
        if record is None:
            return False
        record.used_at = utcnow()
        user = await session.get_one(User, record.user_id, with_for_update=True)
        user.email_verified = True
        if user.status == "pending":
            user.status = "active"
        return True


async def list_admin_emails() -> list[str]:
    """Where staff alerts (low stock) go: every active admin."""
    async with session_scope() as session:
        rows = await session.exec(
            select(User.email)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .join(Role, col(Role.id) == col(UserRole.role_id))
            .where(Role.name == RoleName.ADMIN.value, User.status == "active")
            .order_by(col(User.email))
        )
        return list(rows)
