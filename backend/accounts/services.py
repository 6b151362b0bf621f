"""Use cases of the accounts domain: registration, sign-in and sessions, e-mailed links,
passwords and profiles. The only code that writes users, roles and sessions."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords, session_epochs, sign_in_limits
from backend.accounts.errors import (
    AccountLockedError,
    AccountNotActiveError,
    AccountSuspendedError,
    DuplicateAccountError,
    InvalidCredentialsError,
    InvalidTokenError,
    TooManyAttemptsError,
    WrongPasswordError,
)
from backend.accounts.events import (
    EmailVerificationRequested,
    PasswordResetRequested,
    SignUpWithExistingEmailAttempted,
    UserRegistered,
)
from backend.accounts.inputs import ProfileUpdate, Registration
from backend.accounts.models import AccountToken, RefreshToken, Role, User, UserRole, UserSession
from backend.accounts.password_policy import password_problem
from backend.accounts.roles import ROLE_DESCRIPTIONS, RoleName
from backend.accounts.schemas import SignedIn, VerifiedSession, Viewer
from backend.core import rate_limits
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.rate_limits import RateLimit
from backend.core.validation import parse_input
from backend.events.outbox import record_event
from backend.settings import get_settings

SIGN_IN_FAILED_MESSAGE = "That e-mail and password do not match an account."
LOCKED_BY_STAFF_MESSAGE = "This account is locked. Please contact us."
PENDING_MESSAGE = "Please confirm your e-mail address first: open the link we sent you."
INVALID_LINK_MESSAGE = "This link does not work: it may have been used already or expired."

EMAIL_VERIFICATION_TTL = timedelta(hours=48)
PASSWORD_RESET_TTL = timedelta(minutes=60)

# Password-reset requests are answered the same whatever happens; these limits only keep
# the shop from being used to flood someone's inbox.
RESET_REQUESTS_PER_EMAIL = RateLimit("reset-email", "3/hour")
RESET_REQUESTS_PER_IP = RateLimit("reset-ip", "20/hour")
# Sign-up sends e-mail too (a confirmation link, or "you already have an account").
SIGN_UPS_PER_IP = RateLimit("sign-up-ip", "20/hour")
SIGN_UP_MAILS_PER_EMAIL = RateLimit("sign-up-email", "3/day")

# A verified session is asked of the database again at least this often, even when its
# epoch says nothing changed: the backstop for an invalidation Redis lost.
SESSION_RECHECK_SECONDS = 15.0


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email_key(email: str) -> str:
    return email.strip().lower()


# --- roles -------------------------------------------------------------------------------


async def ensure_roles() -> None:
    """Create the built-in roles if missing (idempotent)."""
    async with session_scope() as session:
        for name, description in ROLE_DESCRIPTIONS.items():
            await session.exec(
                insert(Role)
                .values(name=name.value, description=description)
                .on_conflict_do_nothing(index_elements=["name"])
            )


async def _grant_roles(
    session: AsyncSession, user_id: uuid.UUID, roles: frozenset[RoleName]
) -> None:
    # The built-in roles may not exist yet in a fresh database: never grant nothing.
    for role in roles:
        await session.exec(
            insert(Role)
            .values(name=role.value, description=ROLE_DESCRIPTIONS[role])
            .on_conflict_do_nothing(index_elements=["name"])
        )
    role_rows = await session.exec(select(Role).where(col(Role.name).in_([r.value for r in roles])))
    for role_row in role_rows:
        await session.exec(
            insert(UserRole)
            .values(user_id=user_id, role_id=role_row.id)
            .on_conflict_do_nothing(index_elements=["user_id", "role_id"])
        )


# --- registration and e-mail verification ------------------------------------------------


USERNAME_TAKEN_MESSAGE = "This username is taken; choose another."


def _username_taken() -> InvalidInputError:
    # Input to correct like any other field (usernames are public, unlike e-mails).
    return InvalidInputError(USERNAME_TAKEN_MESSAGE, {"username": USERNAME_TAKEN_MESSAGE})


async def register(data: dict[str, Any], *, ip: str | None = None) -> str:
    """Sign-up from a form or API body: validated, stored as `pending`, verification
    mailed. Returns the e-mail address as stored.

    The answer is the same whether or not the address has an account, so sign-up cannot
    be used to find out who shops here: for a taken address nothing is created and its
    owner is e-mailed "you already have an account" instead, and the password is hashed
    either way (the same work, so about the same time). A taken username is invalid
    input (usernames are not secret: they are chosen to be unique). `ip` is the
    visitor's address: each may sign up `SIGN_UPS_PER_IP`; each e-mail address gets at
    most `SIGN_UP_MAILS_PER_EMAIL` e-mails from sign-up."""
    registration = parse_input(Registration, data)
    if ip and not await rate_limits.hit(SIGN_UPS_PER_IP, ip):
        retry_after = await rate_limits.seconds_until_allowed(SIGN_UPS_PER_IP, ip)
        raise TooManyAttemptsError(
            f"Too many sign-ups from your network. Try again in {retry_after // 60 + 1} minutes.",
            retry_after=retry_after,
        )
    email = registration.email
    may_mail = await rate_limits.hit(SIGN_UP_MAILS_PER_EMAIL, _email_key(email))
    password_hash = await asyncio.to_thread(passwords.hash_password, registration.password)
    try:
        async with session_scope() as session:
            if (
                await session.exec(select(User.id).where(User.username == registration.username))
            ).first():
                raise _username_taken()
            owner = (
                await session.exec(select(User).where(func.lower(User.email) == _email_key(email)))
            ).first()
            if owner is None:
                await _add_user(
                    session,
                    username=registration.username,
                    email=email,
                    password_hash=password_hash,
                    first_name=registration.first_name,
                    last_name=registration.last_name,
                )
            elif may_mail:
                await record_event(
                    session,
                    SignUpWithExistingEmailAttempted(
                        aggregate_id=str(owner.id),
                        email=owner.email,
                        display_name=display_name(owner),
                    ),
                )
    except IntegrityError as exc:
        if "users_username_idx" in str(exc.orig):
            raise _username_taken() from exc
        if "users_email_idx" not in str(exc.orig):
            raise
        # The same address signed up at this very moment: that one stands, and this
        # answer must still look like any other.
    return email


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
    """Create an account (no input rules, and a taken e-mail or username is refused with
    `DuplicateAccountError`: `register` is the public sign-up; seeds and tests use this)."""
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    try:
        async with session_scope() as session:
            return await _add_user(
                session,
                username=username,
                email=email,
                password_hash=password_hash,
                first_name=first_name,
                last_name=last_name,
                status=status,
                email_verified=email_verified,
                roles=roles,
            )
    except IntegrityError as exc:
        if "users_email_idx" in str(exc.orig):
            raise DuplicateAccountError(
                "An account with this e-mail address already exists.", field="email"
            ) from exc
        if "users_username_idx" in str(exc.orig):
            raise DuplicateAccountError(USERNAME_TAKEN_MESSAGE, field="username") from exc
        raise


async def _add_user(
    session: AsyncSession,
    *,
    username: str,
    email: str,
    password_hash: str,
    first_name: str | None,
    last_name: str | None,
    status: str = "pending",
    email_verified: bool = False,
    roles: frozenset[RoleName] = frozenset({RoleName.USER}),
) -> uuid.UUID:
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
        session, UserRegistered(aggregate_id=str(user.id), email=user.email, username=username)
    )
    if not email_verified:
        await record_event(
            session,
            EmailVerificationRequested(
                aggregate_id=str(user.id), email=user.email, display_name=display_name(user)
            ),
        )
    return user.id


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


async def _use_account_token(session: AsyncSession, token: str, purpose: str) -> User | None:
    """Spend a single-use token; the user it belongs to, locked for update, or None."""
    record = (
        await session.exec(
            select(AccountToken)
            .where(
                AccountToken.token_hash == _hash_token(token),
                AccountToken.purpose == purpose,
                col(AccountToken.used_at).is_(None),
                col(AccountToken.expires_at) > utcnow(),
            )
            .with_for_update()
        )
    ).first()
    if record is None:
        return None
    record.used_at = utcnow()
    return await session.get_one(User, record.user_id, with_for_update=True)


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


# --- sign-in, sessions, sign-out ---------------------------------------------------------


async def _authenticate(
    session: AsyncSession, *, email: str, password: str, ip: str | None
) -> User:
    """The password check behind browser sign-in and API tokens, with its protections
    (`sign_in_limits`: per address, per e-mail and network, per e-mail across networks),
    one answer for unknown and known e-mails, argon2 rehash when parameters change.
    `ip` is the visitor's address (`backend.core.client_address`)."""
    attempt = await sign_in_limits.begin_attempt(_email_key(email), ip)

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
                token_hash=_hash_token(token),
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


async def _live_session(session_token: str) -> tuple[Viewer, datetime] | None:
    """The viewer behind a session token and the session's expiry, if it is live."""
    async with session_scope() as session:
        row = (
            await session.exec(
                select(User, UserSession.expires_at)
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
        user, expires_at = row
        return await viewer_for(session, user), expires_at


async def resolve_session(session_token: str | None) -> Viewer | None:
    """The viewer behind a session cookie, or None if it is unknown, expired or revoked."""
    if not session_token:
        return None
    live = await _live_session(session_token)
    return live[0] if live else None


async def verify_session(
    session_token: str | None, *, user_id: uuid.UUID | None = None
) -> VerifiedSession | None:
    """`resolve_session`, with what `session_unchanged` needs to trust it later cheaply.

    `user_id`: whose session this token was when last verified (a token never changes
    hands), so the user's epoch can be read before the one query. Without it, a first
    query finds the user, then the epoch is read, then the session is queried again.
    """
    if not session_token:
        return None
    if user_id is None:
        first = await _live_session(session_token)
        if first is None:
            return None
        user_id = first[0].user_id
    epoch = await session_epochs.epoch_before_verifying(user_id)
    live = await _live_session(session_token)
    if live is None or live[0].user_id != user_id:
        return None
    viewer, expires_at = live
    return VerifiedSession(viewer, expires_at, epoch, time.time())


async def session_unchanged(verified: VerifiedSession) -> bool:
    """True while nothing can have changed the verified session: not expired, verified
    less than SESSION_RECHECK_SECONDS ago, and its user's epoch is the one read then (one
    Redis GET). False also when Redis cannot say: then ask the database."""
    age = time.time() - verified.verified_at
    if not verified.epoch or not 0 <= age < SESSION_RECHECK_SECONDS:
        return False
    if utcnow() >= verified.expires_at:
        return False
    try:
        return await session_epochs.current_epoch(verified.viewer.user_id) == verified.epoch
    except RedisError:
        return False


async def sign_out(session_token: str | None) -> None:
    if not session_token:
        return
    async with session_scope() as session:
        signed_out = (
            await session.exec(
                update(UserSession)
                .where(
                    col(UserSession.token_hash) == _hash_token(session_token),
                    col(UserSession.revoked_at).is_(None),
                )
                .values(revoked_at=utcnow())
                .returning(col(UserSession.user_id))
            )
        ).all()
    await session_epochs.sessions_changed(*{row[0] for row in signed_out})


async def clear_sign_in_failures(email: str) -> None:
    """Forget failed sign-ins for this e-mail (an admin unlocked it, or a reset proved it)."""
    await sign_in_limits.forget_failures(_email_key(email))


async def revoke_all_sign_ins(
    session: AsyncSession, user_id: uuid.UUID, *, keep_session_token: str | None = None
) -> None:
    """End every browser session (but the one kept) and every API refresh token. The
    caller calls `session_epochs.sessions_changed(user_id)` after its commit, so open tabs
    notice at their next event."""
    sessions = update(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep_session_token:
        sessions = sessions.where(col(UserSession.token_hash) != _hash_token(keep_session_token))
    await session.exec(sessions.values(revoked_at=utcnow()))
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


async def viewer_for(session: AsyncSession, user: User) -> Viewer:
    role_names = await session.exec(
        select(Role.name)
        .join(UserRole, col(UserRole.role_id) == col(Role.id))
        .where(UserRole.user_id == user.id)
    )
    return Viewer(
        user_id=user.id,
        username=user.username,
        email=user.email,
        display_name=display_name(user),
        roles=frozenset(RoleName(name) for name in role_names),
    )


def display_name(user: User) -> str:
    full_name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return full_name or user.username


# --- passwords ---------------------------------------------------------------------------


async def request_password_reset(email: str, *, ip: str | None = None) -> None:
    """E-mail a reset link if the address has an account. The caller's answer is always the
    same, whether or not it does (no account enumeration)."""
    email_key = _email_key(email)
    if not email_key or not await rate_limits.hit(RESET_REQUESTS_PER_EMAIL, email_key):
        return
    if ip and not await rate_limits.hit(RESET_REQUESTS_PER_IP, ip):
        return
    async with session_scope() as session:
        user = (await session.exec(select(User).where(func.lower(User.email) == email_key))).first()
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


async def change_password(
    user_id: uuid.UUID, *, current_password: str, new_password: str, keep_session_token: str | None
) -> None:
    """Change a signed-in user's password; every other sign-in of theirs ends."""
    async with session_scope() as session:
        user = await session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFoundError("There is no such account.")
        if not await asyncio.to_thread(
            passwords.verify_password, user.password_hash, current_password
        ):
            raise WrongPasswordError(
                "Your current password is not right.",
                field="current_password",
            )
        problem = password_problem(new_password, username=user.username, email=user.email)
        if problem:
            raise InvalidInputError(problem, {"new_password": problem})
        user.password_hash = await asyncio.to_thread(passwords.hash_password, new_password)
        await revoke_all_sign_ins(session, user.id, keep_session_token=keep_session_token)
    await session_epochs.sessions_changed(user_id)


# --- profile -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    user_id: uuid.UUID
    username: str
    email: str
    first_name: str
    last_name: str
    email_verified: bool


async def get_profile(user_id: uuid.UUID) -> Profile:
    async with session_scope() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("There is no such account.")
    return Profile(
        user_id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        email_verified=user.email_verified,
    )


async def update_profile(user_id: uuid.UUID, data: dict[str, Any]) -> Profile:
    update_input = parse_input(ProfileUpdate, data)
    async with session_scope() as session:
        user = await session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFoundError("There is no such account.")
        user.first_name, user.last_name = update_input.first_name, update_input.last_name
    await session_epochs.sessions_changed(user_id)  # open tabs show the new name
    return await get_profile(user_id)


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
