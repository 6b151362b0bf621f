"""Staff permission groups: what a group gives its members, who may change groups, the rules
that keep the shop from locking itself out, and services refusing staff without the
permission with nothing written."""

import uuid

import httpx
import pytest
from sqlmodel import col, select

from api.app import build_http_app
from backend.accounts import (
    authentication,
    browser_sessions,
    queries,
    staff,
    staff_groups,
    tokens,
)
from backend.accounts.models import StaffGroup, StaffGroupMember, User
from backend.accounts.permissions import ALL_PERMISSIONS, DefaultGroup, Permission
from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.fixtures.accounts import Credentials, MakeUser


async def _viewer(credentials: Credentials) -> Viewer:
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def _group_id(actor: Viewer, key: DefaultGroup) -> uuid.UUID:
    return next(group.id for group in await staff_groups.list_groups(actor) if group.key == key)


def _input(name: str, *permissions: str, description: str = "") -> staff_groups.GroupInput:
    return staff_groups.parse_group_input(name, description, list(permissions))


async def _audit_actions(entity_id: object) -> list[str]:
    async with session_scope() as session:
        rows = await session.exec(
            select(AuditEntry.action)
            .where(col(AuditEntry.entity_id) == str(entity_id))
            .order_by(col(AuditEntry.created_at))
        )
        return list(rows)


async def test_the_built_in_groups_come_first_with_what_they_give(admin_viewer: Viewer) -> None:
    groups = await staff_groups.list_groups(admin_viewer)
    built_in = {group.key: set(group.permissions) for group in groups if group.is_built_in}
    assert built_in == {
        "administrators": set(ALL_PERMISSIONS),
        "moderators": {Permission.INVENTORY, Permission.REVIEWS},
        "fulfilment": {Permission.ORDERS_VIEW, Permission.ORDERS_FULFIL},
    }
    assert [group.is_built_in for group in groups[:3]] == [True, True, True]


async def test_a_group_gives_its_members_its_permissions_and_changes_count_at_once(
    admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    member = await make_user()
    browser = await authentication.sign_in(email=member.email, password=member.password)
    assert not browser.viewer.is_staff

    group_id = await staff_groups.create_group(
        admin_viewer, _input(f"Packers {unique}", "orders.fulfil", description="Warehouse")
    )
    await staff_groups.set_membership(admin_viewer, browser.viewer.user_id, group_id, member=True)
    viewer = await browser_sessions.resolve_session(browser.session_token)
    assert viewer is not None
    # Fulfilling includes seeing the orders.
    assert viewer.permissions == {Permission.ORDERS_VIEW, Permission.ORDERS_FULFIL}

    session = await browser_sessions.verify_session(
        browser.session_token, user_id=browser.viewer.user_id
    )
    assert session is not None
    await staff_groups.update_group(
        admin_viewer, group_id, _input(f"Packers {unique}", "orders.view", "analytics")
    )
    assert not await browser_sessions.session_unchanged(session)  # the open tab re-checks
    viewer = await browser_sessions.resolve_session(browser.session_token)
    assert viewer is not None
    assert viewer.permissions == {Permission.ORDERS_VIEW, Permission.ANALYTICS}

    await staff_groups.delete_group(admin_viewer, group_id)
    viewer = await browser_sessions.resolve_session(browser.session_token)
    assert viewer is not None
    assert not viewer.is_staff
    assert await _audit_actions(group_id) == [
        "staff_group.created",
        "staff_group.updated",
        "staff_group.deleted",
    ]
    assert await _audit_actions(browser.viewer.user_id) == ["staff_group.member_added"]


async def test_members_of_several_groups_may_do_what_any_of_them_allows(
    admin_viewer: Viewer, make_user: MakeUser
) -> None:
    both = await _viewer(
        await make_user(roles=frozenset({DefaultGroup.MODERATORS, DefaultGroup.FULFILMENT}))
    )
    assert both.permissions == {
        Permission.INVENTORY,
        Permission.REVIEWS,
        Permission.ORDERS_VIEW,
        Permission.ORDERS_FULFIL,
    }


async def test_the_shop_cannot_lock_itself_out(admin_viewer: Viewer) -> None:
    administrators = await _group_id(admin_viewer, DefaultGroup.ADMINISTRATORS)
    with pytest.raises(InvalidInputError) as fewer:
        await staff_groups.update_group(
            admin_viewer, administrators, _input("Administrators", "catalog")
        )
    assert "permissions" in fewer.value.field_errors
    with pytest.raises(InvalidInputError):
        await staff_groups.delete_group(admin_viewer, administrators)
    with pytest.raises(InvalidInputError):
        await staff_groups.set_membership(
            admin_viewer, admin_viewer.user_id, administrators, member=False
        )
    assert (await _viewer_again(admin_viewer)).permissions == ALL_PERMISSIONS


async def _viewer_again(viewer: Viewer) -> Viewer:
    async with session_scope() as session:
        user = await session.get(User, viewer.user_id)
        assert user is not None
        return await browser_sessions.viewer_for(session, user)


@pytest.mark.parametrize(
    ("name", "permissions", "field"),
    [
        ("   ", ["catalog"], "name"),
        ("x" * 81, ["catalog"], "name"),
        ("Sneaky", ["catalog", "root"], "permissions"),
    ],
)
def test_bad_group_input_is_refused_with_a_message_per_field(
    name: str, permissions: list[str], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        staff_groups.parse_group_input(name, "", permissions)
    assert field in refused.value.field_errors


async def test_a_taken_name_is_refused_whatever_its_case(admin_viewer: Viewer, unique: str) -> None:
    await staff_groups.create_group(admin_viewer, _input(f"Support {unique}", "customers"))
    with pytest.raises(InvalidInputError) as taken:
        await staff_groups.create_group(
            admin_viewer, _input(f"SUPPORT {unique.upper()}", "analytics")
        )
    assert "name" in taken.value.field_errors


async def test_only_staff_who_may_manage_staff_change_groups_and_nothing_is_written(
    admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    moderator = await _viewer(await make_user(roles=frozenset({DefaultGroup.MODERATORS})))
    shopper = await _viewer(await make_user())
    administrators = await _group_id(admin_viewer, DefaultGroup.ADMINISTRATORS)
    for outsider in (moderator, shopper):
        with pytest.raises(PermissionDeniedError):
            await staff_groups.list_groups(outsider)
        with pytest.raises(PermissionDeniedError):
            await staff_groups.create_group(outsider, _input(f"Mine {unique}", "staff"))
        with pytest.raises(PermissionDeniedError):
            await staff_groups.set_membership(
                outsider, outsider.user_id, administrators, member=True
            )
        with pytest.raises(PermissionDeniedError):
            await staff_groups.add_member_by_email(outsider, administrators, outsider.email)
    async with session_scope() as session:
        made = await session.exec(select(StaffGroup).where(StaffGroup.name == f"Mine {unique}"))
        joined = await session.exec(
            select(StaffGroupMember).where(
                col(StaffGroupMember.user_id).in_([moderator.user_id, shopper.user_id]),
                StaffGroupMember.group_id == administrators,
            )
        )
        assert (made.first(), joined.first()) == (None, None)


async def test_members_are_added_by_e_mail(
    admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    packer = await make_user()
    fulfilment_id = await _group_id(admin_viewer, DefaultGroup.FULFILMENT)
    name = await staff_groups.add_member_by_email(
        admin_viewer, fulfilment_id, f"  {packer.email.upper()} "
    )
    assert name.startswith("Test")
    detail = await staff_groups.get_group(admin_viewer, fulfilment_id)
    assert packer.email in [member.email for member in detail.members]
    with pytest.raises(InvalidInputError) as unknown:
        await staff_groups.add_member_by_email(
            admin_viewer, fulfilment_id, f"nobody-{unique}@example.com"
        )
    assert "email" in unknown.value.field_errors
    with pytest.raises(NotFoundError):
        await staff_groups.get_group(admin_viewer, uuid.uuid4())


async def test_locking_a_staff_members_account_takes_the_staff_permission(
    admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    support_group = await staff_groups.create_group(
        admin_viewer, _input(f"Support {unique}", "customers")
    )
    support = await make_user()
    support_id = (await _viewer(support)).user_id
    await staff_groups.set_membership(admin_viewer, support_id, support_group, member=True)
    support_viewer = await _viewer(support)
    shopper_id = (await _viewer(await make_user())).user_id
    packer_id = (await _viewer(await make_user(roles=frozenset({DefaultGroup.FULFILMENT})))).user_id

    await staff.set_locked(support_viewer, shopper_id, locked=True)  # a customer: allowed
    with pytest.raises(PermissionDeniedError):
        await staff.set_locked(support_viewer, packer_id, locked=True)
    async with session_scope() as session:
        statuses = {
            user.id: user.status
            for user in await session.exec(
                select(User).where(col(User.id).in_([shopper_id, packer_id]))
            )
        }
    assert statuses == {shopper_id: "locked", packer_id: "active"}


async def test_low_stock_alerts_go_to_everyone_who_runs_inventory(
    make_user: MakeUser,
) -> None:
    moderator = await make_user(roles=frozenset({DefaultGroup.MODERATORS}))
    packer = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    recipients = await queries.list_staff_emails(Permission.INVENTORY)
    assert moderator.email in recipients
    assert packer.email not in recipients


# --- the API ---------------------------------------------------------------------------------


async def _bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


async def test_the_api_manages_groups_and_members_for_staff_managers_only(
    admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    packer = await _viewer(await make_user(roles=frozenset({DefaultGroup.FULFILMENT})))
    newcomer = await make_user()
    admin, packer_headers = await _bearer(admin_viewer), await _bearer(packer)
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as api:
        assert (await api.get("/admin/staff-groups")).status_code == 401
        assert (await api.get("/admin/staff-groups", headers=packer_headers)).status_code == 403
        listed = (await api.get("/admin/staff-groups", headers=admin)).json()
        assert [group["key"] for group in listed[:3]] == [
            "administrators",
            "fulfilment",
            "moderators",
        ]

        body = {"name": f"Returns desk {unique}", "permissions": ["orders.refund"]}
        refused = await api.post("/admin/staff-groups", json=body, headers=packer_headers)
        assert refused.status_code == 403
        bad = await api.post(
            "/admin/staff-groups", json={**body, "permissions": ["root"]}, headers=admin
        )
        assert bad.status_code == 400
        created = await api.post("/admin/staff-groups", json=body, headers=admin)
        assert created.status_code == 201, created.text
        group = created.json()
        assert created.headers["Location"].endswith(group["id"])
        assert group["permissions"] == ["orders.view", "orders.refund"]

        joined = await api.post(
            f"/admin/staff-groups/{group['id']}/members",
            json={"email": newcomer.email},
            headers=admin,
        )
        assert [m["email"] for m in joined.json()["members"]] == [newcomer.email]
        member = await _viewer(newcomer)
        assert member.permissions == {Permission.ORDERS_VIEW, Permission.ORDERS_REFUND}

        gone = await api.delete(
            f"/admin/staff-groups/{group['id']}/members/{member.user_id}", headers=admin
        )
        assert gone.status_code == 204
        assert not (await _viewer(newcomer)).is_staff

        administrators = listed[0]["id"]
        kept = await api.delete(f"/admin/staff-groups/{administrators}", headers=admin)
        assert kept.status_code == 400
        deleted = await api.delete(f"/admin/staff-groups/{group['id']}", headers=admin)
        assert deleted.status_code == 204
        missing = await api.get(f"/admin/staff-groups/{group['id']}", headers=admin)
        assert missing.status_code == 404
