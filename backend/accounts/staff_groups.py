"""Staff permission groups: creating and changing them, and who belongs to which.

A staff member may do what any of their groups allows (`backend.accounts.permissions`).
Every change is audited, and the tabs and API calls of everyone it touches get the new
permissions from their next event on (their session epoch moves). Two rules keep the shop
from locking itself out: the Administrators group keeps every permission and cannot be
deleted, and nobody removes themselves from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import session_epochs
from backend.accounts.locks import ACCOUNT_NOT_FOUND, lock_user_for_update
from backend.accounts.models import StaffGroup, StaffGroupMember, User
from backend.accounts.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_GROUPS,
    DefaultGroup,
    Permission,
    require_permission,
    with_implied,
)
from backend.accounts.profiles import display_name
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError

MANAGE_STAFF = "manage staff groups"
NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 500


@dataclass(frozen=True)
class GroupSummary:
    id: uuid.UUID
    key: str | None
    name: str
    description: str
    permissions: tuple[Permission, ...]
    member_count: int

    @property
    def is_built_in(self) -> bool:
        return self.key is not None


@dataclass(frozen=True)
class GroupMember:
    user_id: uuid.UUID
    name: str
    email: str
    status: str


@dataclass(frozen=True)
class GroupDetail(GroupSummary):
    members: tuple[GroupMember, ...]


@dataclass(frozen=True)
class GroupInput:
    name: str
    description: str
    permissions: frozenset[Permission]


def _invalid(message: str, field: str) -> InvalidInputError:
    return InvalidInputError(message, {field: message})


def parse_group_input(name: str, description: str, permissions: list[str]) -> GroupInput:
    """A group's fields from a form or an API body; InvalidInputError names the field."""
    name, description = name.strip(), description.strip()
    if not name:
        raise _invalid("Give the group a name.", "name")
    if len(name) > NAME_MAX_LENGTH:
        raise _invalid(f"A group's name has at most {NAME_MAX_LENGTH} characters.", "name")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise _invalid(
            f"A description has at most {DESCRIPTION_MAX_LENGTH} characters.", "description"
        )
    unknown = sorted(set(permissions) - {permission.value for permission in Permission})
    if unknown:
        raise _invalid(f"Unknown permission: {', '.join(unknown)}.", "permissions")
    chosen = frozenset(Permission(value) for value in permissions)
    return GroupInput(name=name, description=description, permissions=with_implied(chosen))


def _ordered(permissions: list[str] | frozenset[Permission]) -> tuple[Permission, ...]:
    """In the order of `Permission`, the order every screen lists them in."""
    held = set(permissions)
    return tuple(permission for permission in Permission if permission.value in held)


async def ensure_default_groups(session: AsyncSession) -> None:
    """Create the built-in groups if missing (idempotent; the migration made them)."""
    for key, preset in DEFAULT_GROUPS.items():
        await session.exec(
            insert(StaffGroup)
            .values(
                key=key.value,
                name=preset.name,
                description=preset.description,
                permissions=[permission.value for permission in _ordered(preset.permissions)],
            )
            .on_conflict_do_nothing()
        )


async def permissions_of(session: AsyncSession, user_id: uuid.UUID) -> frozenset[Permission]:
    """What the user's groups allow together (nothing: not staff)."""
    rows = await session.exec(
        select(func.unnest(StaffGroup.permissions))
        .join(StaffGroupMember, col(StaffGroupMember.group_id) == col(StaffGroup.id))
        .where(col(StaffGroupMember.user_id) == user_id)
    )
    known = {permission.value for permission in Permission}
    return frozenset(Permission(value) for value in rows if value in known)


async def add_to_default_group(
    session: AsyncSession, user_id: uuid.UUID, group: DefaultGroup
) -> None:
    """For seeds and account creation: no actor, no audit."""
    await ensure_default_groups(session)
    group_id = (await session.exec(select(StaffGroup.id).where(StaffGroup.key == group))).one()
    await session.exec(
        insert(StaffGroupMember).values(group_id=group_id, user_id=user_id).on_conflict_do_nothing()
    )


def _member_count() -> object:
    return (
        select(func.count())
        .select_from(StaffGroupMember)
        .where(col(StaffGroupMember.group_id) == col(StaffGroup.id))
        .scalar_subquery()
    )


def _summary(group: StaffGroup, member_count: int) -> GroupSummary:
    return GroupSummary(
        id=group.id,
        key=group.key,
        name=group.name,
        description=group.description,
        permissions=_ordered(group.permissions),
        member_count=member_count,
    )


async def list_groups(actor: Viewer) -> list[GroupSummary]:
    """Every group, the built-in ones first, then by name."""
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    async with session_scope() as session:
        rows = await session.exec(
            select(StaffGroup, _member_count()).order_by(  # type: ignore[call-overload]  # a scalar subquery column
                col(StaffGroup.key).is_(None), func.lower(StaffGroup.name)
            )
        )
        return [_summary(group, int(count)) for group, count in rows]


async def get_group(actor: Viewer, group_id: uuid.UUID) -> GroupDetail:
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    async with session_scope() as session:
        group = await session.get(StaffGroup, group_id)
        if group is None:
            raise NotFoundError("There is no such staff group.")
        users = (
            await session.exec(
                select(User)
                .join(StaffGroupMember, col(StaffGroupMember.user_id) == col(User.id))
                .where(col(StaffGroupMember.group_id) == group_id)
                .order_by(func.lower(User.email))
            )
        ).all()
    members = tuple(
        GroupMember(user_id=user.id, name=display_name(user), email=user.email, status=user.status)
        for user in users
    )
    return GroupDetail(**_summary(group, len(members)).__dict__, members=members)


async def groups_of(actor: Viewer, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The groups one account belongs to (for its customer page); NotFoundError if there
    is no such account."""
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    async with session_scope() as session:
        if await session.get(User, user_id) is None:
            raise NotFoundError(ACCOUNT_NOT_FOUND)
        rows = await session.exec(
            select(StaffGroupMember.group_id).where(col(StaffGroupMember.user_id) == user_id)
        )
        return list(rows)


def _taken_name() -> InvalidInputError:
    return _invalid("Another group has this name; choose another.", "name")


async def _member_ids(session: AsyncSession, group_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.exec(
        select(StaffGroupMember.user_id).where(col(StaffGroupMember.group_id) == group_id)
    )
    return list(rows)


async def create_group(actor: Viewer, data: GroupInput) -> uuid.UUID:
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    group = StaffGroup(
        name=data.name,
        description=data.description,
        permissions=[permission.value for permission in _ordered(data.permissions)],
    )
    try:
        async with session_scope() as session:
            session.add(group)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="staff_group.created",
                entity_type="staff_group",
                entity_id=group.id,
                after=_audited(data),
            )
    except IntegrityError as error:
        raise _taken_name() from error
    return group.id


def _audited(data: GroupInput) -> dict[str, object]:
    return {
        "name": data.name,
        "description": data.description,
        "permissions": [permission.value for permission in _ordered(data.permissions)],
    }


async def update_group(actor: Viewer, group_id: uuid.UUID, data: GroupInput) -> None:
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    try:
        async with session_scope() as session:
            group = await session.get(StaffGroup, group_id, with_for_update=True)
            if group is None:
                raise NotFoundError("There is no such staff group.")
            if group.key == DefaultGroup.ADMINISTRATORS and data.permissions != ALL_PERMISSIONS:
                raise _invalid(
                    "The Administrators group keeps every permission: make another group for less.",
                    "permissions",
                )
            before = _audited(
                GroupInput(group.name, group.description, frozenset(_ordered(group.permissions)))
            )
            group.name, group.description = data.name, data.description
            group.permissions = [permission.value for permission in _ordered(data.permissions)]
            session.add(group)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="staff_group.updated",
                entity_type="staff_group",
                entity_id=group_id,
                before=before,
                after=_audited(data),
            )
            members = await _member_ids(session, group_id)
    except IntegrityError as error:
        raise _taken_name() from error
    for user_id in members:  # their open tabs and API calls get the new permissions
        await session_epochs.sessions_changed(user_id)


async def delete_group(actor: Viewer, group_id: uuid.UUID) -> None:
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    async with session_scope() as session:
        group = await session.get(StaffGroup, group_id, with_for_update=True)
        if group is None:
            raise NotFoundError("There is no such staff group.")
        if group.key is not None:
            raise InvalidInputError("The built-in groups cannot be deleted.")
        members = await _member_ids(session, group_id)
        audit.record(
            session,
            actor=actor,
            action="staff_group.deleted",
            entity_type="staff_group",
            entity_id=group_id,
            before={"name": group.name, "members": len(members)},
        )
        await session.delete(group)
    for user_id in members:
        await session_epochs.sessions_changed(user_id)


async def add_member_by_email(actor: Viewer, group_id: uuid.UUID, email: str) -> str:
    """Put the account with this e-mail address into the group; its display name."""
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    wanted = email.strip().lower()
    if not wanted:
        raise _invalid("Enter the e-mail address of the account to add.", "email")
    async with session_scope() as session:
        user = (
            await session.exec(select(User).where(func.lower(col(User.email)) == wanted))
        ).first()
    if user is None:
        raise _invalid("No account has this e-mail address.", "email")
    await set_membership(actor, user.id, group_id, member=True)
    return display_name(user)


async def set_membership(
    actor: Viewer, user_id: uuid.UUID, group_id: uuid.UUID, *, member: bool
) -> None:
    """Put an account into a group or take it out (idempotent)."""
    require_permission(actor, Permission.STAFF, MANAGE_STAFF)
    async with session_scope() as session:
        group = await session.get(StaffGroup, group_id)
        if group is None:
            raise NotFoundError("There is no such staff group.")
        if not member and group.key == DefaultGroup.ADMINISTRATORS and user_id == actor.user_id:
            raise InvalidInputError(
                "You cannot leave the Administrators group yourself; ask another administrator."
            )
        await lock_user_for_update(session, user_id)  # NotFoundError for an unknown account
        if member:
            added = await session.exec(
                insert(StaffGroupMember)
                .values(group_id=group_id, user_id=user_id)
                .on_conflict_do_nothing()
                .returning(col(StaffGroupMember.user_id))
            )
            changed = added.first() is not None
        else:
            removed = await session.exec(
                delete(StaffGroupMember)
                .where(
                    col(StaffGroupMember.group_id) == group_id,
                    col(StaffGroupMember.user_id) == user_id,
                )
                .returning(col(StaffGroupMember.user_id))
            )
            changed = removed.first() is not None
        if changed:
            audit.record(
                session,
                actor=actor,
                action="staff_group.member_added" if member else "staff_group.member_removed",
                entity_type="account",
                entity_id=user_id,
                after={"group": group.name},
            )
    if changed:
        await session_epochs.sessions_changed(user_id)  # open tabs get the new rights at once
