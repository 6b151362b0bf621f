"""Sign-up and account creation: a new user stored `pending` with its roles, and the
confirmation e-mail asked for. Also the built-in roles themselves."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords, staff_groups
from backend.accounts.errors import (
    DuplicateAccountError,
    TooManyAttemptsError,
)
from backend.accounts.events import (
    EmailVerificationRequested,
    SignUpWithExistingEmailAttempted,
    UserRegistered,
)
from backend.accounts.inputs import Registration
from backend.accounts.lookup_keys import email_key
from backend.accounts.models import Role, User, UserRole
from backend.accounts.permissions import DefaultGroup
from backend.accounts.profiles import display_name
from backend.accounts.roles import ROLE_DESCRIPTIONS, RoleName
from backend.core import rate_limits
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.rate_limits import RateLimit
from backend.core.validation import parse_input
from backend.events.outbox import record_event

# Sign-up sends e-mail too (a confirmation link, or "you already have an account").
SIGN_UPS_PER_IP = RateLimit("sign-up-ip", "20/hour")

SIGN_UP_MAILS_PER_EMAIL = RateLimit("sign-up-email", "3/day")

USERNAME_TAKEN_MESSAGE = "This username is taken; choose another."


async def ensure_roles() -> None:
    """Create the built-in roles and staff groups if missing (idempotent)."""
    async with session_scope() as session:
        for name, description in ROLE_DESCRIPTIONS.items():
            await session.exec(
                insert(Role)
                .values(name=name.value, description=description)
                .on_conflict_do_nothing(index_elements=["name"])
            )
        await staff_groups.ensure_default_groups(session)


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
    may_mail = await rate_limits.hit(SIGN_UP_MAILS_PER_EMAIL, email_key(email))
    password_hash = await asyncio.to_thread(passwords.hash_password, registration.password)
    try:
        async with session_scope() as session:
            if (
                await session.exec(select(User.id).where(User.username == registration.username))
            ).first():
                raise _username_taken()
            owner = (
                await session.exec(select(User).where(func.lower(User.email) == email_key(email)))
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
    groups: frozenset[DefaultGroup] = frozenset(),
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
                groups=groups,
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
    groups: frozenset[DefaultGroup] = frozenset(),
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
    for group in groups:
        await staff_groups.add_to_default_group(session, user.id, group)
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
