"""Staff permission groups (the staff permission): list, create, change and delete groups,
and put accounts in or take them out. What a member may do counts from their next call.
The built-in Administrators group keeps every permission, cannot be deleted, and nobody
leaves it on their own (400)."""

from __future__ import annotations

import uuid
from typing import Literal, get_args

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import StaffManagers
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.accounts import staff_groups
from backend.accounts.permissions import PERMISSION_DESCRIPTIONS, Permission
from backend.accounts.staff_groups import GroupDetail, GroupSummary

router = APIRouter(prefix="/admin/staff-groups", tags=["staff"], route_class=EdgeRoute)

PermissionName = Literal[
    "catalog",
    "inventory",
    "orders.view",
    "orders.fulfil",
    "orders.refund",
    "orders.edit",
    "customers",
    "promotions",
    "reviews",
    "settings",
    "staff",
    "webhooks",
    "analytics",
]
assert set(get_args(PermissionName)) == {p.value for p in Permission}  # one list, two spellings

PERMISSIONS_HELP = "; ".join(f"`{p.value}`: {text}" for p, text in PERMISSION_DESCRIPTIONS.items())


class GroupIn(BaseModel):
    name: str = Field(max_length=staff_groups.NAME_MAX_LENGTH, examples=["Warehouse"])
    description: str = Field(default="", max_length=staff_groups.DESCRIPTION_MAX_LENGTH)
    permissions: list[PermissionName] = Field(
        description=PERMISSIONS_HELP + ". Fulfilling or refunding orders includes seeing them.",
        # Each once, so at most all of them (the service reads the list as a set, so
        # repeats are not refused).
        json_schema_extra={"maxItems": len(Permission), "uniqueItems": True},
    )


class GroupOut(BaseModel):
    id: uuid.UUID
    key: str | None = Field(description="The built-in groups' stable key; null for the shop's own.")
    name: str
    description: str
    permissions: list[PermissionName]
    member_count: int

    @classmethod
    def of(cls, group: GroupSummary) -> GroupOut:
        return cls(
            id=group.id,
            key=group.key,
            name=group.name,
            description=group.description,
            permissions=[permission.value for permission in group.permissions],
            member_count=group.member_count,
        )


class MemberOut(BaseModel):
    user_id: uuid.UUID
    name: str
    email: str
    status: str


class GroupDetailOut(GroupOut):
    members: list[MemberOut]

    @classmethod
    def of_detail(cls, group: GroupDetail) -> GroupDetailOut:
        return cls(
            **GroupOut.of(group).model_dump(),
            members=[
                MemberOut(user_id=m.user_id, name=m.name, email=m.email, status=m.status)
                for m in group.members
            ],
        )


class MemberIn(BaseModel):
    email: str = Field(max_length=255, examples=["packer@example.com"])


def _parsed(data: GroupIn) -> staff_groups.GroupInput:
    return staff_groups.parse_group_input(data.name, data.description, list(data.permissions))


@router.get(
    "",
    response_model=list[GroupOut],
    summary="Every staff group, the built-in ones first",
    responses=problem_responses(401, 403),
)
async def list_groups(viewer: StaffManagers) -> list[GroupOut]:
    return [GroupOut.of(group) for group in await staff_groups.list_groups(viewer)]


@router.get(
    "/{group_id}",
    response_model=GroupDetailOut,
    summary="One staff group with its members",
    responses=problem_responses(401, 403, 404),
)
async def get_group(group_id: uuid.UUID, viewer: StaffManagers) -> GroupDetailOut:
    return GroupDetailOut.of_detail(await staff_groups.get_group(viewer, group_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GroupDetailOut,
    summary="Create a staff group",
    responses=problem_responses(400, 401, 403),
)
async def create_group(data: GroupIn, viewer: StaffManagers, response: Response) -> GroupDetailOut:
    group_id = await staff_groups.create_group(viewer, _parsed(data))
    response.headers["Location"] = f"/api/v1/admin/staff-groups/{group_id}"
    return GroupDetailOut.of_detail(await staff_groups.get_group(viewer, group_id))


@router.put(
    "/{group_id}",
    response_model=GroupDetailOut,
    summary="Change a staff group's name, description and permissions",
    responses=problem_responses(400, 401, 403, 404),
)
async def update_group(group_id: uuid.UUID, data: GroupIn, viewer: StaffManagers) -> GroupDetailOut:
    await staff_groups.update_group(viewer, group_id, _parsed(data))
    return GroupDetailOut.of_detail(await staff_groups.get_group(viewer, group_id))


@router.delete(
    "/{group_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one of the shop's own groups (its members lose what it gave)",
    responses=problem_responses(400, 401, 403, 404),
)
async def delete_group(group_id: uuid.UUID, viewer: StaffManagers) -> Response:
    await staff_groups.delete_group(viewer, group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{group_id}/members",
    response_model=GroupDetailOut,
    summary="Put the account with this e-mail address into the group",
    responses=problem_responses(400, 401, 403, 404),
)
async def add_member(group_id: uuid.UUID, data: MemberIn, viewer: StaffManagers) -> GroupDetailOut:
    await staff_groups.add_member_by_email(viewer, group_id, data.email)
    return GroupDetailOut.of_detail(await staff_groups.get_group(viewer, group_id))


@router.delete(
    "/{group_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take an account out of the group",
    responses=problem_responses(400, 401, 403, 404),
)
async def remove_member(group_id: uuid.UUID, user_id: uuid.UUID, viewer: StaffManagers) -> Response:
    await staff_groups.set_membership(viewer, user_id, group_id, member=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
