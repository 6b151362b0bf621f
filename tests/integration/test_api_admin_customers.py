"""The admin API for customers, accounts, messages, dead letters and the audit log: staff
find a customer and read their orders, lifetime value, tags and notes; write notes and
tags; export or erase a customer; lock and unlock accounts; read an account's staff
groups, the messages sent, the dead letters (and retry them) and the audit log. Each
behind the permission its admin page needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest

from backend.accounts import authentication
from backend.accounts.events import UserRegistered
from backend.accounts.permissions import DefaultGroup, Permission
from backend.accounts.roles import RoleName
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.db import session_scope
from backend.core.money import decimal_string
from backend.events import deliveries, outbox
from backend.notifications import services as notifications
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from tests.fixtures.accounts import MakeUser
from tests.fixtures.api_client import StaffWith, assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Customer:
    user_id: uuid.UUID
    email: str
    username: str
    headers: dict[str, str]


@pytest.fixture
def new_customer(make_user: MakeUser) -> object:
    async def make(**kwargs: object) -> Customer:
        credentials = await make_user(**kwargs)
        viewer = (
            await authentication.sign_in(email=credentials.email, password=credentials.password)
        ).viewer
        return Customer(
            viewer.user_id, credentials.email, credentials.username, await bearer(viewer)
        )

    return make


async def _order_for(
    customer: Customer, product: uuid.UUID, quantity: int, *, pay: bool
) -> orders.PlacedOrder:
    owner = cart_owners.user_owner(customer.user_id)
    await carts.add_item(owner, product, quantity)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=customer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=customer.user_id,
    )
    if pay:
        await payments.pay_order(
            placed.id,
            shopper=tab_that_placed(placed.id),
            payment_method=cards.SUCCEEDS,
            attempt_key=uuid.uuid4().hex,
        )
    return placed


async def test_staff_find_a_customer_and_read_orders_lifetime_value_tags_and_notes(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object, make_product: MakeProduct
) -> None:
    customer: Customer = await new_customer()  # type: ignore[operator]
    product = await make_product(price=Decimal("40.00"), stock_quantity=10)
    paid = await _order_for(customer, product, 2, pay=True)
    unpaid = await _order_for(customer, product, 1, pay=False)
    staff = await staff_with(Permission.CUSTOMERS)

    found = await api.get(
        "/admin/customers", params={"search": customer.username.upper()}, headers=staff
    )
    assert found.status_code == 200, found.text
    listed = found.json()
    assert listed["pagination"]["total"] == 1
    row = listed["items"][0]
    assert (row["user_id"], row["email"], row["status"]) == (
        str(customer.user_id),
        customer.email,
        "active",
    )
    # Both orders count; only the paid one's money is kept.
    assert (row["order_count"], row["lifetime_value"]) == (2, decimal_string(paid.total))

    detail = await api.get(f"/admin/customers/{customer.user_id}", headers=staff)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert (body["order_count"], body["paid_order_count"]) == (2, 1)
    assert body["lifetime_value"] == decimal_string(paid.total)
    assert [o["number"] for o in body["orders"]["items"]] == [unpaid.number, paid.number]
    assert body["orders"]["items"][1]["total"] == decimal_string(paid.total)
    assert (body["tags"], body["notes"]) == ([], [])

    one_per_page = await api.get(
        f"/admin/customers/{customer.user_id}", params={"limit": 1, "page": 2}, headers=staff
    )
    orders_page = one_per_page.json()["orders"]
    assert [o["number"] for o in orders_page["items"]] == [paid.number]
    assert (orders_page["pagination"]["pages"], orders_page["pagination"]["has_next"]) == (2, False)

    tagged = await api.put(
        f"/admin/customers/{customer.user_id}/tags",
        json={"tags": ["VIP", " wholesale ", "vip"]},
        headers=with_key(staff),
    )
    assert tagged.status_code == 200, tagged.text
    assert tagged.json() == {"tags": ["vip", "wholesale"]}

    noted = await api.post(
        f"/admin/customers/{customer.user_id}/notes",
        json={"note": "  Prefers deliveries after 5 pm.  "},
        headers=with_key(staff),
    )
    assert noted.status_code == 201, noted.text
    assert noted.headers["location"] == f"/api/v1/admin/customers/{customer.user_id}"
    assert noted.json()["body"] == "Prefers deliveries after 5 pm."

    again = (await api.get(f"/admin/customers/{customer.user_id}", headers=staff)).json()
    assert again["tags"] == ["vip", "wholesale"]
    assert [n["body"] for n in again["notes"]] == ["Prefers deliveries after 5 pm."]
    assert again["notes"][0]["id"] == noted.json()["id"]


async def test_customer_routes_refuse_without_token_or_permission_and_unknown_ids(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object
) -> None:
    customer: Customer = await new_customer()  # type: ignore[operator]
    clerk = await staff_with(Permission.ORDERS_VIEW)
    staff = await staff_with(Permission.CUSTOMERS)
    path = f"/admin/customers/{customer.user_id}"
    calls = [
        ("GET", "/admin/customers", None),
        ("GET", path, None),
        ("POST", f"{path}/notes", {"note": "x"}),
        ("PUT", f"{path}/tags", {"tags": ["x"]}),
        ("POST", f"{path}/data-export", None),
        ("POST", f"{path}/erasure", None),
        ("PUT", f"/admin/accounts/{customer.user_id}/locked", {"locked": True}),
    ]
    for method, url, body in calls:
        assert_problem(await api.request(method, url, json=body), 401)
        assert_problem(await api.request(method, url, json=body, headers=customer.headers), 403)
        assert_problem(await api.request(method, url, json=body, headers=clerk), 403)
        if url != "/admin/customers":
            unknown = url.replace(str(customer.user_id), UNKNOWN)
            assert_problem(await api.request(method, unknown, json=body, headers=staff), 404)
    for method, url, body in calls[1:]:
        malformed = url.replace(str(customer.user_id), "not-an-id")
        refused = assert_problem(
            await api.request(method, malformed, json=body, headers=staff), 400
        )
        assert "user_id" in refused["errors"], refused
    # Nothing was written by any of the refusals.
    body = (await api.get(path, headers=staff)).json()
    assert (body["status"], body["tags"], body["notes"]) == ("active", [], [])


async def test_bad_notes_and_tags_are_refused_by_field_and_change_nothing(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object
) -> None:
    customer: Customer = await new_customer()  # type: ignore[operator]
    staff = await staff_with(Permission.CUSTOMERS)
    path = f"/admin/customers/{customer.user_id}"
    await api.put(f"{path}/tags", json={"tags": ["keep"]}, headers=staff)

    for tags in (["no, commas"], ["bang!"], ["x" * 41], [f"t{n}" for n in range(21)]):
        refused = assert_problem(
            await api.put(f"{path}/tags", json={"tags": tags}, headers=staff), 400
        )
        assert any(name.startswith("tags") for name in refused["errors"]), refused
    for note in ("   ", "", "x" * 2001):
        refused = assert_problem(
            await api.post(f"{path}/notes", json={"note": note}, headers=staff), 400
        )
        assert "note" in refused["errors"], refused
    assert_problem(await api.post(f"{path}/notes", json={}, headers=staff), 400)

    body = (await api.get(path, headers=staff)).json()
    assert (body["tags"], body["notes"]) == (["keep"], [])


async def test_staff_export_a_customers_data_and_erase_them(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CUSTOMERS)
    customer: Customer = await new_customer()  # type: ignore[operator]
    await api.put(
        f"/admin/customers/{customer.user_id}/tags", json={"tags": ["vip"]}, headers=staff
    )

    exported = await api.post(
        f"/admin/customers/{customer.user_id}/data-export", headers=with_key(staff)
    )
    assert exported.status_code == 200, exported.text
    document = exported.json()
    assert document["account"]["email"] == customer.email
    assert document["account"]["staff_tags"] == ["vip"]

    # An order still under way keeps the account (409), whole.
    busy: Customer = await new_customer()  # type: ignore[operator]
    product = await make_product(price=Decimal("10.00"))
    open_order = await _order_for(busy, product, 1, pay=False)
    refused = assert_problem(
        await api.post(f"/admin/customers/{busy.user_id}/erasure", headers=staff), 409
    )
    assert open_order.number in refused["detail"]
    still = (await api.get(f"/admin/customers/{busy.user_id}", headers=staff)).json()
    assert (still["email"], still["order_count"]) == (busy.email, 1)

    erased = await api.post(f"/admin/customers/{customer.user_id}/erasure", headers=with_key(staff))
    assert erased.status_code == 200, erased.text
    assert erased.json() == {"user_id": str(customer.user_id), "orders_anonymised": 0}
    assert_problem(await api.get(f"/admin/customers/{customer.user_id}", headers=staff), 404)
    assert_problem(await api.get("/users/me", headers=customer.headers), 401)


async def test_a_staff_members_account_is_erased_or_locked_only_by_staff_managers(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object
) -> None:
    colleague: Customer = await new_customer(  # type: ignore[operator]
        roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})
    )
    staff = await staff_with(Permission.CUSTOMERS)

    assert_problem(
        await api.post(f"/admin/customers/{colleague.user_id}/erasure", headers=staff), 403
    )
    assert_problem(
        await api.put(
            f"/admin/accounts/{colleague.user_id}/locked", json={"locked": True}, headers=staff
        ),
        403,
    )
    body = (await api.get(f"/admin/customers/{colleague.user_id}", headers=staff)).json()
    assert (body["email"], body["status"]) == (colleague.email, "active")
    assert (await api.get("/users/me", headers=colleague.headers)).status_code == 200


async def test_staff_lock_and_unlock_an_account(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object, make_user: MakeUser
) -> None:
    customer: Customer = await new_customer()  # type: ignore[operator]
    staff = await staff_with(Permission.CUSTOMERS)
    path = f"/admin/accounts/{customer.user_id}/locked"

    locked = await api.put(path, json={"locked": True}, headers=with_key(staff))
    assert locked.status_code == 200, locked.text
    assert (locked.json()["user_id"], locked.json()["status"]) == (str(customer.user_id), "locked")
    assert_problem(await api.get("/users/me", headers=customer.headers), 401)  # signed out
    listed = await api.get("/admin/customers", params={"search": customer.email}, headers=staff)
    assert listed.json()["items"][0]["status"] == "locked"

    unlocked = await api.put(path, json={"locked": False}, headers=staff)
    assert unlocked.json()["status"] == "active"
    signed_in = await authentication.sign_in(
        email=customer.email, password="correct horse battery staple"
    )
    assert signed_in.viewer.user_id == customer.user_id

    refused = assert_problem(await api.put(path, json={"locked": "maybe"}, headers=staff), 400)
    assert "locked" in refused["errors"]
    # Nobody locks themselves out.
    manager: Customer = await new_customer(  # type: ignore[operator]
        roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})
    )
    assert_problem(
        await api.put(
            f"/admin/accounts/{manager.user_id}/locked",
            json={"locked": True},
            headers=manager.headers,
        ),
        400,
    )
    assert (await api.get("/users/me", headers=manager.headers)).status_code == 200


async def test_staff_managers_read_which_groups_an_account_is_in(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object
) -> None:
    admin: Customer = await new_customer(  # type: ignore[operator]
        roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})
    )
    shopper: Customer = await new_customer()  # type: ignore[operator]
    manager = await staff_with(Permission.STAFF)
    groups = (await api.get("/admin/staff-groups", headers=manager)).json()
    administrators = next(g["id"] for g in groups if g["key"] == DefaultGroup.ADMINISTRATORS.value)

    found = await api.get(f"/admin/accounts/{admin.user_id}/groups", headers=manager)
    assert found.status_code == 200, found.text
    assert found.json() == {"user_id": str(admin.user_id), "group_ids": [administrators]}
    none = await api.get(f"/admin/accounts/{shopper.user_id}/groups", headers=manager)
    assert none.json()["group_ids"] == []

    assert_problem(await api.get(f"/admin/accounts/{UNKNOWN}/groups", headers=manager), 404)
    assert_problem(await api.get(f"/admin/accounts/{admin.user_id}/groups"), 401)
    customers_staff = await staff_with(Permission.CUSTOMERS)
    assert_problem(
        await api.get(f"/admin/accounts/{admin.user_id}/groups", headers=customers_staff), 403
    )


async def test_staff_read_the_messages_sent_to_customers(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    to = f"msg-{unique}@example.com"
    sent = await notifications.send_email(
        template="order_shipped",
        to=to,
        context={
            "order_number": "KG-7",
            "customer_name": "Ann",
            "email": to,
            "carrier": "DHL",
            "tracking_number": "TRACK-7",
            "order_url": "http://localhost:3100/orders/KG-7",
        },
        idempotency_key=f"test:{unique}",
    )
    staff = await staff_with(Permission.CUSTOMERS)

    listed = await api.get("/admin/messages", params={"recipient": to.upper()}, headers=staff)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["pagination"]["total"] == 1
    item = page["items"][0]
    assert (item["id"], item["channel"], item["recipient"], item["status"]) == (
        str(sent.notification_id),
        "email",
        to,
        sent.status,
    )
    assert item["subject"] == "Order KG-7 has shipped"
    everything = (await api.get("/admin/messages", params={"limit": 1}, headers=staff)).json()
    assert len(everything["items"]) == 1
    assert everything["pagination"]["total"] >= 1

    detail = await api.get(f"/admin/messages/{sent.notification_id}", headers=staff)
    assert detail.status_code == 200, detail.text
    assert "TRACK-7" in detail.json()["body_text"]

    assert_problem(await api.get(f"/admin/messages/{UNKNOWN}", headers=staff), 404)
    assert_problem(await api.get("/admin/messages"), 401)
    analyst = await staff_with(Permission.ANALYTICS)
    assert_problem(await api.get("/admin/messages", headers=analyst), 403)
    assert_problem(await api.get(f"/admin/messages/{sent.notification_id}", headers=analyst), 403)
    assert_problem(await api.get("/admin/messages", params={"limit": 101}, headers=staff), 400)


async def _dead_letter(handler: str) -> uuid.UUID:
    """An event whose delivery to `handler` failed for good (one attempt allowed)."""
    event = UserRegistered(aggregate_id=str(uuid.uuid4()), email="x@example.com", username="x")
    async with session_scope() as session:
        await outbox.record_event(session, event)
    assert await deliveries.start_delivery(event.event_id, handler, max_attempts=1) is not None
    assert await deliveries.fail_delivery(event.event_id, handler, error="550 no", max_attempts=1)
    return event.event_id


async def test_staff_see_dead_letters_and_send_one_back_to_the_worker(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    handler = f"test_handler_{unique}"[:100]
    event_id = await _dead_letter(handler)
    staff = await staff_with(Permission.CUSTOMERS)

    listed = await api.get("/admin/dead-letters", headers=staff)
    assert listed.status_code == 200, listed.text
    mine = [d for d in listed.json() if d["event_id"] == str(event_id)]
    assert [(d["handler"], d["attempts"], d["last_error"]) for d in mine] == [
        (handler, 1, "550 no")
    ]

    analyst = await staff_with(Permission.ANALYTICS)
    url = f"/admin/dead-letters/{event_id}/redeliver"
    assert_problem(await api.post(url, json={"handler": handler}), 401)
    assert_problem(await api.post(url, json={"handler": handler}, headers=analyst), 403)
    assert_problem(await api.post(url, json={"handler": "someone_else"}, headers=staff), 404)
    assert_problem(await api.post(url, json={"handler": ""}, headers=staff), 400)
    assert any(
        d["event_id"] == str(event_id)
        for d in (await api.get("/admin/dead-letters", headers=staff)).json()
    )

    retried = await api.post(url, json={"handler": handler}, headers=with_key(staff))
    assert retried.status_code == 202, retried.text
    remaining = (await api.get("/admin/dead-letters", headers=staff)).json()
    assert str(event_id) not in [d["event_id"] for d in remaining]
    assert_problem(await api.post(url, json={"handler": handler}, headers=staff), 404)
    assert_problem(await api.get("/admin/dead-letters", headers=analyst), 403)


async def test_staff_managers_read_the_audit_log_filtered(
    api: httpx.AsyncClient, staff_with: StaffWith, new_customer: object
) -> None:
    customer: Customer = await new_customer()  # type: ignore[operator]
    customers_staff = await staff_with(Permission.CUSTOMERS)
    path = f"/admin/customers/{customer.user_id}"
    await api.put(f"{path}/tags", json={"tags": ["vip"]}, headers=customers_staff)
    await api.post(
        f"{path}/notes", json={"note": "Called about a parcel."}, headers=customers_staff
    )
    manager = await staff_with(Permission.STAFF)

    found = await api.get(
        "/admin/audit-log",
        params={"entity_type": "account", "entity_id": str(customer.user_id)},
        headers=manager,
    )
    assert found.status_code == 200, found.text
    entries = found.json()
    assert entries["pagination"]["total"] == 2
    assert [e["action"] for e in entries["items"]] == [
        "customer.note_added",
        "customer.tags_changed",
    ]
    assert entries["items"][1]["after"] == {"tags": ["vip"]}
    assert entries["items"][0]["after"] == {"note": "Called about a parcel."}

    notes_only = await api.get(
        "/admin/audit-log",
        params={"entity_id": str(customer.user_id), "action": "customer.note"},
        headers=manager,
    )
    assert [e["action"] for e in notes_only.json()["items"]] == ["customer.note_added"]

    assert_problem(await api.get("/admin/audit-log"), 401)
    assert_problem(await api.get("/admin/audit-log", headers=customers_staff), 403)
    assert_problem(await api.get("/admin/audit-log", headers=customer.headers), 403)
    refused = assert_problem(
        await api.get("/admin/audit-log", params={"entity_type": "x" * 41}, headers=manager), 400
    )
    assert "entity_type" in refused["errors"]
