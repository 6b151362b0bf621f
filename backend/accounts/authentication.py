"""Signing in with e-mail and password: the checks shared by browser sign-in and the
API's password grant, and the failed-sign-in limits behind them."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords, sign_in_limits
from backend.accounts.browser_sessions import viewer_for
from backend.accounts.errors import (
    AccountLockedError,
    AccountNotActiveError,
    AccountSuspendedError,
    InvalidCredentialsError,
)
from backend.accounts.lookup_keys import email_key, hash_token
from backend.accounts.models import User, UserSession
from backend.accounts.schemas import SignedIn
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.settings import get_settings

SIGN_IN_FAILED_MESSAGE = "That e-mail and password do not match an account."

LOCKED_BY_STAFF_MESSAGE = "This account is locked. Please contact us."

PENDING_MESSAGE = "Please confirm your e-mail address first: open the link we sent you."


async def _authenticate(
    session: AsyncSession, *, email: str, password: str, ip: str | None
) -> User:
    """The password check behind browser sign-in and API tokens, with its protections
    (`sign_in_limits`: per address, per e-mail and network, per e-mail across networks),
    one answer for unknown and known e-mails, argon2 rehash when parameters change.
    `ip` is the visitor's address (`backend.core.client_address`)."""
    attempt = await sign_in_limits.begin_attempt(email_key(email), ip)

    user = (
        await session.exec(select(User).where(func.lower(User.email) == attempt.email_key))
    ).first()
    stored_hash = user.password_hash if user else None
    if not await asyncio.to_thread(passwords.verify_password, stored_hash, password):
        await sign_in_limits.record_failure(attempt)
        raise InvalidCredentialsError(SIGN_IN_FAILED_MESSAGE)
    assert user is not None

    if user.status == "locked":
        if user.locked_until is None:
            raise AccountSuspendedError(LOCKED_BY_STAFF_MESSAGE)
        # A time-limited lock of the account itself (written by earlier versions).
        if user.locked_until > utcnow():
            raise AccountLockedError(sign_in_limits.locked_message())
        user.status, user.locked_until = "active", None
    if user.status == "pending":
        raise AccountNotActiveError(PENDING_MESSAGE, status=user.status)
    if user.status != "active":
        raise AccountNotActiveError("This account has been closed.", status=user.status)

    await sign_in_limits.record_success(attempt)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(passwords.hash_password, password)
    user.last_login_at = utcnow()
    return user


async def sign_in(
    *, email: str, password: str, user_agent: str | None = None, ip: str | None = None
) -> SignedIn:
    """Check the password and open a server-side session for this browser."""
    async with session_scope() as session:
        user = await _authenticate(session, email=email, password=password, ip=ip)
        token = secrets.token_urlsafe(32)
        session.add(
            UserSession(
                user_id=user.id,
                token_hash=hash_token(token),
                expires_at=utcnow() + timedelta(seconds=get_settings().session_max_age_seconds),
                user_agent=(user_agent or "")[:255] or None,
            )
        )
        viewer = await viewer_for(session, user)
    return SignedIn(session_token=token, viewer=viewer)


async def authenticate_for_tokens(*, email: str, password: str, ip: str | None = None) -> uuid.UUID:
    """The same checks as browser sign-in, for the API's password grant."""
    async with session_scope() as session:
        return (await _authenticate(session, email=email, password=password, ip=ip)).id


async def clear_sign_in_failures(email: str) -> None:
    """Forget failed sign-ins for this e-mail (an admin unlocked it, or a reset proved it)."""
    await sign_in_limits.forget_failures(email_key(email))
