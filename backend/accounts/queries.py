"""Reading one account's own facts: for the account holder themself, or for an admin;
and who the admins are (where staff alerts go).

Customer data is admin-only (as in the dashboard), so moderators see only themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts.addresses import list_addresses
from backend.accounts.lookup_keys import email_key
from backend.accounts.models import StaffGroup, StaffGroupMember, User
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.profiles import display_name
from backend.accounts.schemas import SavedAddress, UserRecord, Viewer
from backend.accounts.staff import account_roles
from backend.core.db import read_scope
from backend.core.errors import NotFoundError


async def get_user(user_id: uuid.UUID) -> UserRecord:
    """No access rule: for callers that already know who may see it (a fresh sign-up's
    own answer). NotFoundError if unknown."""
    async with read_scope() as session:
        row = (
            await session.exec(select(User, account_roles()).where(col(User.id) == user_id))
        ).first()
    if row is None:
        raise NotFoundError("There is no such account.")
    user, role_names = row
    return UserRecord(
        user_id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        status=user.status,
        roles=tuple(role_names or ()),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


async def get_user_for(actor: Viewer, user_id: uuid.UUID) -> UserRecord:
    """The account, if `actor` is its holder or an admin. Anyone else is refused before
    the account is looked up, so the refusal says nothing about whether it exists."""
    if actor.user_id != user_id:
        require_permission(actor, Permission.CUSTOMERS, "see other people's accounts")
    return await get_user(user_id)


async def list_staff_emails(permission: Permission) -> list[str]:
    """Where staff alerts go (low stock: inventory): every active account that one of its
    groups gives `permission`."""
    async with read_scope() as session:
        rows = await session.exec(
            select(User.email)
            .distinct()
            .join(StaffGroupMember, col(StaffGroupMember.user_id) == col(User.id))
            .join(StaffGroup, col(StaffGroup.id) == col(StaffGroupMember.group_id))
            .where(
                col(StaffGroup.permissions).contains([permission.value]),
                User.status == "active",
            )
            .order_by(col(User.email))
        )
        return list(rows)


@dataclass(frozen=True)
class CustomerMatch:
    """An account found by its e-mail address, for staff taking an order for it."""

    user_id: uuid.UUID
    email: str
    name: str
    default_address: SavedAddress | None


async def customer_by_email(actor: Viewer, email: str) -> CustomerMatch | None:
    """The active account with this address (any case), with its default address; for
    staff who take orders (`orders.edit`) or look after customers."""
    if not actor.may(Permission.ORDERS_EDIT):
        require_permission(actor, Permission.CUSTOMERS, "look customers up")
    key = email_key(email)
    if not key:
        return None
    async with read_scope() as session:
        user = (
            await session.exec(
                select(User).where(func.lower(User.email) == key, User.status != "inactive")
            )
        ).first()
    if user is None:
        return None
    saved = await list_addresses(user.id)
    default = next((address for address in saved if address.is_default), None)
    return CustomerMatch(user.id, user.email, display_name(user), default)
