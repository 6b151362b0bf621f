"""Single-use links sent by e-mail: confirming an address and resetting a forgotten
password. Only a token's hash is stored; each is spent once."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords, session_epochs
from backend.accounts.authentication import clear_sign_in_failures
from backend.accounts.browser_sessions import revoke_all_sign_ins
from backend.accounts.errors import (
    InvalidTokenError,
)
from backend.accounts.events import (
    EmailVerificationRequested,
    PasswordResetRequested,
)
from backend.accounts.locks import lock_unused_account_token_for_update, lock_user_for_update
from backend.accounts.lookup_keys import email_key, hash_token
from backend.accounts.models import AccountToken, User
from backend.accounts.password_policy import password_problem
from backend.accounts.profiles import display_name
from backend.core import rate_limits
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.rate_limits import RateLimit
from backend.events.outbox import record_event

INVALID_LINK_MESSAGE = "This link does not work: it may have been used already or expired."

EMAIL_VERIFICATION_TTL = timedelta(hours=48)

PASSWORD_RESET_TTL = timedelta(minutes=60)

# Password-reset requests are answered the same whatever happens; these limits only keep
# the shop from being used to flood someone's inbox.
RESET_REQUESTS_PER_EMAIL = RateLimit("reset-email", "3/hour")

RESET_REQUESTS_PER_IP = RateLimit("reset-ip", "20/hour")

# Asking for another confirmation link: the same kind of limits, their own counters.
VERIFY_REQUESTS_PER_EMAIL = RateLimit("verify-email", "3/hour")

VERIFY_REQUESTS_PER_IP = RateLimit("verify-ip", "20/hour")


async def issue_account_token(user_id: uuid.UUID, *, purpose: str, ttl: timedelta) -> str:
    """A new single-use token for an e-mailed link; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    async with session_scope() as session:
        session.add(
            AccountToken(
                user_id=user_id,
                purpose=purpose,
                token_hash=hash_token(token),
                expires_at=utcnow() + ttl,
            )
        )
    return token


async def _use_account_token(session: AsyncSession, token: str, purpose: str) -> User | None:
    """Spend a single-use token; the user it belongs to, locked for update, or None."""
    record = await lock_unused_account_token_for_update(
        session, token_hash=hash_token(token), purpose=purpose, now=utcnow()
    )
    if record is None:
        return None
    record.used_at = utcnow()
    return await lock_user_for_update(session, record.user_id)


async def verify_email(token: str) -> bool:
    """Use a verification token: the address is confirmed and a pending account becomes
    active. False when the token is unknown, used or expired."""
    async with session_scope() as session:
        user = await _use_account_token(session, token, "verify_email")
        if user is None:
            return False
        user.email_verified = True
        if user.status == "pending":
            user.status = "active"
        return True


async def request_email_verification(email: str, *, ip: str | None = None) -> None:
    """E-mail a new confirmation link if the address has an account that is not confirmed
    yet (a pending sign-up whose link was lost or expired). The caller's answer is always
    the same, whether or not it does (no account enumeration); the limits only keep the
    shop from being used to flood someone's inbox."""
    key = email_key(email)
    if not key or not await rate_limits.hit(VERIFY_REQUESTS_PER_EMAIL, key):
        return
    if ip and not await rate_limits.hit(VERIFY_REQUESTS_PER_IP, ip):
        return
    async with session_scope() as session:
        user = (await session.exec(select(User).where(func.lower(User.email) == key))).first()
        if user is None or user.email_verified or user.status not in ("pending", "active"):
            return
        await record_event(
            session,
            EmailVerificationRequested(
                aggregate_id=str(user.id), email=user.email, display_name=display_name(user)
            ),
        )


async def request_password_reset(email: str, *, ip: str | None = None) -> None:
    """E-mail a reset link if the address has an account. The caller's answer is always the
    same, whether or not it does (no account enumeration)."""
    key = email_key(email)
    if not key or not await rate_limits.hit(RESET_REQUESTS_PER_EMAIL, key):
        return
    if ip and not await rate_limits.hit(RESET_REQUESTS_PER_IP, ip):
        return
    async with session_scope() as session:
        user = (await session.exec(select(User).where(func.lower(User.email) == key))).first()
        if user is None or user.status == "inactive":
            return
        await record_event(
            session,
            PasswordResetRequested(
                aggregate_id=str(user.id), email=user.email, display_name=display_name(user)
            ),
        )


async def reset_password(token: str, new_password: str) -> None:
    """Set a new password through an e-mailed link. Proves the address, so it also confirms
    it, lifts a failed-sign-in lock, and ends every existing sign-in."""
    new_hash: str | None = None
    async with session_scope() as session:
        user = await _use_account_token(session, token, "reset_password")
        if user is None:
            raise InvalidTokenError(INVALID_LINK_MESSAGE)
        problem = password_problem(new_password, username=user.username, email=user.email)
        if problem:
            raise InvalidInputError(problem, {"password": problem})
        new_hash = await asyncio.to_thread(passwords.hash_password, new_password)
        user.password_hash = new_hash
        user.email_verified = True
        if user.status == "pending" or (user.status == "locked" and user.locked_until is not None):
            user.status, user.locked_until = "active", None
        await revoke_all_sign_ins(session, user.id)
        email, user_id = user.email, user.id
    await session_epochs.sessions_changed(user_id)
    await clear_sign_in_failures(email)
