"""Account administration by staff: finding accounts, locking them (the customers
permission; a staff member's account also the staff permission).

The checks here repeat the UI's and the API's on purpose: a service never trusts that
its caller checked.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, or_
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from backend.accounts import session_epochs, staff_groups
from backend.accounts.authentication import clear_sign_in_failures
from backend.accounts.browser_sessions import revoke_all_sign_ins
from backend.accounts.locks import lock_user_for_update
from backend.accounts.models import Address, Role, StaffGroup, StaffGroupMember, User, UserRole
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.profiles import display_name
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page

SEE_ACCOUNTS = "see customer accounts"


@dataclass(frozen=True)
class AccountSummary:
    user_id: uuid.UUID
    username: str
    email: str
    name: str
    status: str
    roles: tuple[str, ...]
    staff_groups: tuple[str, ...]  # names, sorted
    created_at: datetime
    last_login_at: datetime | None


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


def account_staff_groups() -> ScalarSelect[list[str]]:
    """The names of the account's staff groups, sorted, as one column of a query over
    `User`."""
    return (
        select(array_agg(aggregate_order_by(col(StaffGroup.name), col(StaffGroup.name))))  # type: ignore[no-untyped-call]  # SQLAlchemy leaves postgresql.array_agg unannotated
        .join(StaffGroupMember, col(StaffGroupMember.group_id) == col(StaffGroup.id))
        .where(col(StaffGroupMember.user_id) == col(User.id))
        .scalar_subquery()
    )


def account_summary(
    user: User, role_names: list[str] | None, group_names: list[str] | None
) -> AccountSummary:
    return AccountSummary(
        user_id=user.id,
        username=user.username,
        email=user.email,
        name=display_name(user),
        status=user.status,
        roles=tuple(role_names or ()),
        staff_groups=tuple(group_names or ()),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def account_page_query(search: str, page: int, limit: int) -> Select[User, list[str], list[str]]:
    """One page of matching accounts with their roles and staff groups (other domains add
    columns)."""
    return (
        select(User, account_roles(), account_staff_groups())
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
    require_permission(actor, Permission.CUSTOMERS, SEE_ACCOUNTS)
    page, limit = clamp_page(page, limit)
    async with session_scope() as session:
        rows = (await session.exec(account_page_query(search, page, limit))).all()
        total = (await session.exec(account_count_query(search))).one()
    items = [account_summary(user, roles, groups) for user, roles, groups in rows]
    return Page(items=items, total=total, page=page, limit=limit)


async def get_account(actor: Viewer, user_id: uuid.UUID) -> AccountDetail:
    """One account with its roles, staff groups and address-book size; NotFoundError if
    unknown."""
    require_permission(actor, Permission.CUSTOMERS, SEE_ACCOUNTS)
    addresses = (
        select(func.count())
        .select_from(Address)
        .where(col(Address.user_id) == col(User.id))
        .scalar_subquery()
    )
    async with session_scope() as session:
        row = (
            await session.exec(
                select(User, account_roles(), account_staff_groups(), addresses).where(
                    col(User.id) == user_id
                )
            )
        ).first()
    if row is None:
        raise NotFoundError("There is no such account.")
    user, role_names, group_names, address_count = row
    summary = account_summary(user, role_names, group_names)
    return AccountDetail(**asdict(summary), address_count=int(address_count))


async def set_locked(actor: Viewer, user_id: uuid.UUID, *, locked: bool) -> None:
    """Lock (until unlocked, ending every sign-in) or unlock an account. A staff member's
    account takes the staff permission too."""
    require_permission(actor, Permission.CUSTOMERS, "lock accounts")
    if locked and user_id == actor.user_id:
        raise InvalidInputError("You cannot lock your own account.")
    async with session_scope() as session:
        user = await lock_user_for_update(session, user_id)
        if await staff_groups.permissions_of(session, user_id):
            require_permission(actor, Permission.STAFF, "lock a staff member's account")
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
