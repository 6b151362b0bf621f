"""Account administration by staff: finding accounts, roles, locking. Admins only.

The checks here repeat the UI's and the API's on purpose: a service never trusts that
its caller checked.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, delete, func, or_
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg, insert
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from backend.accounts import session_epochs
from backend.accounts.authentication import clear_sign_in_failures
from backend.accounts.browser_sessions import revoke_all_sign_ins
from backend.accounts.locks import lock_user_for_update
from backend.accounts.models import Address, Role, User, UserRole
from backend.accounts.profiles import display_name
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page


@dataclass(frozen=True)
class AccountSummary:
    user_id: uuid.UUID
    username: str
    email: str
    name: str
    status: str
    roles: tuple[str, ...]
    created_at: datetime
    last_login_at: datetime | None


def require_staff(actor: Viewer | None, what: str) -> Viewer:
    """The actor, if staff (admin or moderator)."""
    if actor is None or not actor.is_staff:
        raise PermissionDeniedError(f"Only staff can {what}.")
    return actor


def require_admin(actor: Viewer | None, what: str = "manage accounts") -> Viewer:
    """The actor, if an administrator; services call this themselves (deny by default),
    whatever the page already checked."""
    if actor is None or RoleName.ADMIN not in actor.roles:
        raise PermissionDeniedError(f"Only administrators can {what}.")
    return actor


@dataclass(frozen=True)
class AccountDetail(AccountSummary):
    """One account's facts for the admin's customer page."""

    address_count: int


# Newest accounts first; the id breaks ties so pages never overlap.
ACCOUNT_LIST_ORDER = (col(User.created_at).desc(), col(User.id))


def account_matches(search: str) -> ColumnElement[bool]:
    """Accounts whose e-mail, username or last name contains `search` (all for "")."""
    pattern = contains_pattern(search)
    return or_(
        col(User.email).ilike(pattern),
        col(User.username).ilike(pattern),
        col(User.last_name).ilike(pattern),
    )


def account_roles() -> ScalarSelect[list[str]]:
    """The account's role names, sorted, as one column of a query over `User`."""
    return (
        select(array_agg(aggregate_order_by(col(Role.name), col(Role.name))))  # type: ignore[no-untyped-call]  # SQLAlchemy leaves postgresql.array_agg unannotated
        .join(UserRole, col(UserRole.role_id) == col(Role.id))
        .where(col(UserRole.user_id) == col(User.id))
        .scalar_subquery()
    )


def account_summary(user: User, role_names: list[str] | None) -> AccountSummary:
    return AccountSummary(
        user_id=user.id,
        username=user.username,
        email=user.email,
        name=display_name(user),
        status=user.status,
        roles=tuple(role_names or ()),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def account_page_query(search: str, page: int, limit: int) -> Select[User, list[str]]:
    """One page of matching accounts with their roles (other domains add columns)."""
    return (
        select(User, account_roles())
        .where(account_matches(search))
        .order_by(*ACCOUNT_LIST_ORDER)
        .offset((page - 1) * limit)
        .limit(limit)
    )


def account_count_query(search: str) -> SelectOfScalar[int]:
    return select(func.count()).select_from(User).where(account_matches(search))


async def list_accounts(
    actor: Viewer, *, search: str = "", page: int = 1, limit: int = 25
) -> Page[AccountSummary]:
    require_admin(actor)
    page, limit = clamp_page(page, limit)
    async with session_scope() as session:
        rows = (await session.exec(account_page_query(search, page, limit))).all()
        total = (await session.exec(account_count_query(search))).one()
    items = [account_summary(user, role_names) for user, role_names in rows]
    return Page(items=items, total=total, page=page, limit=limit)


async def get_account(actor: Viewer, user_id: uuid.UUID) -> AccountDetail:
    """One account with its roles and address-book size; NotFoundError if unknown."""
    require_admin(actor)
    addresses = (
        select(func.count())
        .select_from(Address)
        .where(col(Address.user_id) == col(User.id))
        .scalar_subquery()
    )
    async with session_scope() as session:
        row = (
            await session.exec(
                select(User, account_roles(), addresses).where(col(User.id) == user_id)
            )
        ).first()
    if row is None:
        raise NotFoundError("There is no such account.")
    user, role_names, address_count = row
    summary = account_summary(user, role_names)
    return AccountDetail(**asdict(summary), address_count=int(address_count))


async def set_role(actor: Viewer, user_id: uuid.UUID, role: RoleName, *, granted: bool) -> None:
    require_admin(actor)
    if not granted and role is RoleName.ADMIN and user_id == actor.user_id:
        raise InvalidInputError("You cannot remove your own admin role; ask another admin.")
    async with session_scope() as session:
        if await session.get(User, user_id) is None:
            raise NotFoundError("There is no such account.")
        role_id = (await session.exec(select(Role.id).where(Role.name == role.value))).one()
        audit.record(
            session,
            actor=actor,
            action="account.role_granted" if granted else "account.role_revoked",
            entity_type="account",
            entity_id=user_id,
            after={"role": role.value},
        )
        if granted:
            await session.exec(
                insert(UserRole)
                .values(user_id=user_id, role_id=role_id)
                .on_conflict_do_nothing(index_elements=["user_id", "role_id"])
            )
        else:
            await session.exec(
                delete(UserRole).where(
                    col(UserRole.user_id) == user_id, col(UserRole.role_id) == role_id
                )
            )
    await session_epochs.sessions_changed(user_id)  # open tabs get the new roles at once


async def set_locked(actor: Viewer, user_id: uuid.UUID, *, locked: bool) -> None:
    """Lock (until unlocked, ending every sign-in) or unlock an account."""
    require_admin(actor)
    if locked and user_id == actor.user_id:
        raise InvalidInputError("You cannot lock your own account.")
    async with session_scope() as session:
        user = await lock_user_for_update(session, user_id)
        audit.record(
            session,
            actor=actor,
            action="account.locked" if locked else "account.unlocked",
            entity_type="account",
            entity_id=user_id,
            before={"status": user.status},
            after={"status": "locked" if locked else "active"},
        )
        if locked:
            user.status, user.locked_until = "locked", None
            await revoke_all_sign_ins(session, user.id)
        elif user.status == "locked":
            user.status, user.locked_until = "active", None
        email = user.email
    await session_epochs.sessions_changed(user_id)
    if not locked:
        await clear_sign_in_failures(email)
