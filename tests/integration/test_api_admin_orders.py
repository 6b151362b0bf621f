"""The order desk through the API: shipping as held (one parcel per stock location, each
with its tracking number) or all from one location, where an order ships from (staff
only), what a cancellation would refund, and giving back an edit's difference that the
payment provider refused at first."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.db import session_scope
from backend.core.redis import get_redis
from backend.inventory import locations
from backend.inventory import services as inventory
from backend.orders import fulfilment
from backend.orders import services as orders
from backend.orders.models import Order
from backend.payments.models import PaymentTransaction
from tests.fixtures.api_client import StaffWith, assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, paid_order
from tests.fixtures.stock_locations import MAIN

pytestmark = pytest.mark.usefixtures("main_warehouse_sells_alone")


async def new_location(admin: Viewer, name: str, *, priority: int) -> uuid.UUID:
    return await locations.create_location(
        {
            "name": name,
            "line1": "2 River Road",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
            "priority": str(priority),
            "sells_online": "on",
        },
        actor=admin,
    )


async def test_an_order_held_at_two_locations_ships_as_two_parcels_through_the_api(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    lamp = await make_product(stock_quantity=3)
    pier = await new_location(admin_viewer, f"Pier {unique}", priority=1)
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=pier, quantity=1, actor=admin_viewer
    )
    placed = await paid_order({lamp: 3})  # 1 from the pier (first), 2 from the main one
    packer = await staff_with(Permission.ORDERS_FULFIL)

    before = (await api.get(f"/orders/{placed.number}", headers=packer)).json()
    assert [(a["location"], a["location_id"], a["quantity"]) for a in before["ships_from"]] == [
        (f"Pier {unique}", str(pier), 1),
        ("Main warehouse", str(MAIN), 2),
    ]
    assert before["parcels"] == []

    missing = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={
            "carrier": "DHL",
            "parcels": [
                {"location_id": str(pier), "tracking_number": "JD1"},
                {"location_id": str(MAIN), "tracking_number": " "},
            ],
        },
        headers=with_key(packer),
    )
    assert assert_problem(missing, 400)["errors"] == {
        f"tracking-{MAIN}": "Enter the tracking number of the parcel from Main warehouse."
    }
    still = (await api.get(f"/orders/{placed.number}", headers=packer)).json()
    assert (still["status"], still["parcels"]) == ("paid", [])

    shipped = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={
            "carrier": "DHL",
            "parcels": [
                {"location_id": str(MAIN), "tracking_number": "JD2"},
                {"location_id": str(pier), "tracking_number": "JD1"},
            ],
        },
        headers=with_key(packer),
    )
    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == ("fulfilled", "DHL", "JD1")
    assert [(p["location"], p["carrier"], p["tracking_number"]) for p in body["parcels"]] == [
        (f"Pier {unique}", "DHL", "JD1"),
        ("Main warehouse", "DHL", "JD2"),
    ]
    again = (await api.get(f"/orders/{placed.number}", headers=packer)).json()
    assert [p["tracking_number"] for p in again["parcels"]] == ["JD1", "JD2"]


async def test_an_order_ships_all_from_a_chosen_location(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    lamp = await make_product(stock_quantity=3)
    quay = await new_location(admin_viewer, f"Quay {unique}", priority=20)
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=quay, quantity=1, actor=admin_viewer
    )
    placed = await paid_order({lamp: 2})  # both from the main warehouse
    packer = await staff_with(Permission.ORDERS_FULFIL)

    choices = await api.get("/admin/ship-from-locations", headers=packer)
    assert choices.status_code == 200, choices.text
    names = [choice["name"] for choice in choices.json()]
    assert names.index("Main warehouse") < names.index(f"Quay {unique}")  # by priority
    assert {"id": str(quay), "name": f"Quay {unique}"} in choices.json()

    short = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={"carrier": "UPS", "tracking_number": "1Z", "ship_from": str(quay)},
        headers=with_key(packer),
    )
    assert assert_problem(short, 400)["errors"]["ship_from"].startswith(
        f"Quay {unique} does not hold 2 of"
    )
    unknown = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={"carrier": "UPS", "tracking_number": "1Z", "ship_from": str(uuid.uuid4())},
        headers=with_key(packer),
    )
    assert "ship_from" in assert_problem(unknown, 400)["errors"]
    still = (await api.get(f"/orders/{placed.number}", headers=packer)).json()
    assert still["status"] == "paid"
    assert [(a["location"], a["quantity"]) for a in still["ships_from"]] == [("Main warehouse", 2)]

    await inventory.adjust_stock(
        lamp, change=4, reason="restock", actor=admin_viewer, location_id=quay
    )
    shipped = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={"carrier": "UPS", "tracking_number": "1Z", "ship_from": str(quay)},
        headers=with_key(packer),
    )
    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert [(a["location"], a["quantity"]) for a in body["ships_from"]] == [(f"Quay {unique}", 2)]
    assert [(p["location_id"], p["tracking_number"]) for p in body["parcels"]] == [
        (str(quay), "1Z")
    ]


async def test_shoppers_never_see_where_their_order_ships_from(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
) -> None:
    lamp = await make_product(stock_quantity=3)
    placed = await paid_order({lamp: 1}, shopper_viewer)
    shopper = await bearer(shopper_viewer)
    packer = await staff_with(Permission.ORDERS_FULFIL)
    viewer = await staff_with(Permission.ORDERS_VIEW)

    own = (await api.get(f"/orders/{placed.number}", headers=shopper)).json()
    assert (own["ships_from"], own["parcels"]) == (None, None)
    staff_view = (await api.get(f"/orders/{placed.number}", headers=viewer)).json()
    assert [(a["location"], a["quantity"]) for a in staff_view["ships_from"]] == [
        ("Main warehouse", 1)
    ]

    # Who may ship: 401, 403 (shopper, a viewer), 404; and bad input names its field.
    fields = {"carrier": "UPS", "tracking_number": "1Z"}
    assert_problem(await api.post(f"/orders/{placed.number}/fulfil", json=fields), 401)
    for who in (shopper, viewer):
        refused = await api.post(
            f"/orders/{placed.number}/fulfil", json=fields, headers=with_key(who)
        )
        assert_problem(refused, 403)
    assert_problem(await api.get("/admin/ship-from-locations", headers=viewer), 403)
    assert_problem(await api.get("/admin/ship-from-locations"), 401)
    assert_problem(
        await api.post("/orders/KG-NONE-NONE/fulfil", json=fields, headers=with_key(packer)), 404
    )
    too_long = await api.post(
        f"/orders/{placed.number}/fulfil",
        json={"carrier": "U" * 61, "tracking_number": "1Z"},
        headers=with_key(packer),
    )
    assert "carrier" in assert_problem(too_long, 400)["errors"]
    no_number = await api.post(
        f"/orders/{placed.number}/fulfil", json={"carrier": "UPS"}, headers=with_key(packer)
    )
    assert "tracking_number" in assert_problem(no_number, 400)["errors"]
    assert (await api.get(f"/orders/{placed.number}", headers=viewer)).json()["status"] == "paid"

    # The one tracking number of before still ships it.
    shipped = await api.post(
        f"/orders/{placed.number}/fulfil", json=fields, headers=with_key(packer)
    )
    assert shipped.status_code == 200, shipped.text
    assert [(p["location"], p["tracking_number"]) for p in shipped.json()["parcels"]] == [
        ("Main warehouse", "1Z")
    ]
    own = (await api.get(f"/orders/{placed.number}", headers=shopper)).json()
    assert (own["status"], own["tracking_number"]) == ("fulfilled", "1Z")
    assert (own["ships_from"], own["parcels"]) == (None, None)


async def test_staff_see_what_a_cancellation_would_refund_and_nothing_changes(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
) -> None:
    lamp = await make_product(price=Decimal("30.00"), stock_quantity=5)
    placed = await paid_order({lamp: 2}, shopper_viewer)
    clerk = await staff_with(Permission.ORDERS_REFUND)
    packer = await staff_with(Permission.ORDERS_FULFIL)
    shopper = await bearer(shopper_viewer)
    path = f"/orders/{placed.number}/cancellation-preview"

    preview = await api.get(path, headers=clerk)
    assert preview.status_code == 200, preview.text
    order = (await api.get(f"/orders/{placed.number}", headers=clerk)).json()
    assert preview.json() == {
        "may_cancel": True,
        "refunds": True,
        "refund_amount": order["total"],
        "currency": order["currency"],
    }
    assert (order["status"], order["payment_status"]) == ("paid", "paid")  # nothing changed

    # A partial refund leaves less to give back.
    refunded = await api.post(
        f"/orders/{placed.number}/refunds", json={"amount": "10.00"}, headers=with_key(clerk)
    )
    assert refunded.status_code == 200, refunded.text
    left = Decimal(order["total"]) - Decimal("10.00")
    assert (await api.get(path, headers=clerk)).json()["refund_amount"] == f"{left:.2f}"

    assert_problem(await api.get(path), 401)
    assert_problem(await api.get(path, headers=shopper), 403)  # even for their own order
    assert_problem(await api.get(path, headers=packer), 403)
    assert_problem(await api.get("/orders/KG-NONE-NONE/cancellation-preview", headers=clerk), 404)

    await fulfilment.fulfil_order(
        placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer
    )
    shipped = (await api.get(path, headers=clerk)).json()
    assert (shipped["may_cancel"], shipped["refunds"], shipped["refund_amount"]) == (
        False,
        False,
        "0.00",
    )

    unpaid_owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(unpaid_owner, lamp, 1)
    unpaid = await orders.place_order(
        cart_owner=unpaid_owner,
        details=checkout_details(email=shopper_viewer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=shopper_viewer.user_id,
    )
    waiting = (await api.get(f"/orders/{unpaid.number}/cancellation-preview", headers=clerk)).json()
    assert (waiting["may_cancel"], waiting["refunds"], waiting["refund_amount"]) == (
        True,
        False,
        "0.00",
    )


async def _card_payment_reference(order_id: uuid.UUID) -> str:
    async with session_scope() as session:
        reference = (
            await session.exec(
                select(PaymentTransaction.reference)
                .where(
                    PaymentTransaction.order_id == order_id, PaymentTransaction.kind == "payment"
                )
                .order_by(col(PaymentTransaction.created_at))
            )
        ).first()
    assert reference is not None
    return reference


async def _set_refunded_at_provider(reference: str, *, all_of_it: bool) -> None:
    """What the test gateway counts as refunded of a payment: all of it (so it refuses
    any further refund, as a provider may) or nothing."""
    redis = get_redis()
    key = f"testpay:intent:{reference}"
    intent = json.loads(await redis.get(key))
    intent["refunded"] = intent["amount"] if all_of_it else 0
    await redis.set(key, json.dumps(intent))


async def test_an_edits_difference_the_provider_refused_is_given_back_later(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
) -> None:
    lamp = await make_product(price=Decimal("30.00"), stock_quantity=5)
    placed = await paid_order({lamp: 2}, shopper_viewer)
    editor = await staff_with(Permission.ORDERS_EDIT)
    shopper = await bearer(shopper_viewer)
    order = (await api.get(f"/orders/{placed.number}", headers=editor)).json()
    line_id = order["lines"][0]["id"]
    path = f"/orders/{placed.number}/give-back"

    # Nothing is owed yet.
    assert_problem(await api.post(path, headers=with_key(editor)), 409)

    reference = await _card_payment_reference(placed.id)
    await _set_refunded_at_provider(reference, all_of_it=True)
    edited = await api.post(
        f"/orders/{placed.number}/edits",
        json={"quantities": {line_id: 1}},
        headers=with_key(editor),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["refund_failure"]
    assert edited.json()["given_back"] == "0.00"
    owed = Decimal(edited.json()["old_total"]) - Decimal(edited.json()["total"])
    assert owed > 0

    # Refused again while the provider still refuses: nothing is given back.
    assert_problem(await api.post(path, headers=with_key(editor)), 409)
    async with session_scope() as session:
        row = await session.get(Order, placed.id)
        assert row is not None
        assert row.amount_to_give_back == owed

    assert_problem(await api.post(path), 401)
    assert_problem(await api.post(path, headers=with_key(shopper)), 403)
    assert_problem(
        await api.post(path, headers=with_key(await staff_with(Permission.ORDERS_REFUND))), 403
    )
    assert_problem(await api.post("/orders/KG-NONE-NONE/give-back", headers=with_key(editor)), 404)

    await _set_refunded_at_provider(reference, all_of_it=False)
    given = await api.post(path, headers=with_key(editor))
    assert given.status_code == 200, given.text
    assert given.json()["given_back"] == f"{owed:.2f}"
    assert given.json()["order"]["payment_status"] == "paid"
    async with session_scope() as session:
        row = await session.get(Order, placed.id)
        assert row is not None
        assert row.amount_to_give_back == 0
    assert_problem(await api.post(path, headers=with_key(editor)), 409)  # nothing owed now
