"""The returns desk through the API (/api/v1/admin/returns): the list by status, one
return with the steps the caller may take, and approve / reject / receive / refund, each
with its own permission, and nothing changed by a refused step."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from sqlmodel import select

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog_queries
from backend.catalog import variants
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.orders import services as orders
from backend.returns import queries as return_queries
from backend.returns import requesting as return_requests
from backend.returns.models import ReturnRequest
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.api_client import StaffWith, assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import delivered_order


async def ask_return(placed: orders.PlacedOrder, viewer: Viewer, quantity: int) -> uuid.UUID:
    """The shopper asks to return `quantity` of the order's one line; the return's id."""
    found = await return_queries.returns_for_shopper(placed.number, viewer=viewer)
    number = await return_requests.request_return(
        placed.id,
        viewer=viewer,
        quantities={found.lines[0].order_line_id: quantity},
        reason="does_not_fit",
        comment="Too small.",
        request_key=uuid.uuid4().hex,
    )
    async with session_scope() as session:
        return (
            await session.exec(select(ReturnRequest.id).where(ReturnRequest.number == number))
        ).one()


async def stock_of(product_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(Product.stock_quantity).where(Product.id == product_id))
        ).one()


async def lamp_return(
    make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> tuple[uuid.UUID, orders.PlacedOrder, uuid.UUID]:
    """3 lamps at 30.00 delivered, 2 of them asked back: (return id, order, product id)."""
    lamp = await make_product(name=f"Lamp {unique}", price=Decimal("30.00"), stock_quantity=5)
    placed = await delivered_order({lamp: 3}, shopper_viewer)
    return await ask_return(placed, shopper_viewer, 2), placed, lamp


async def test_a_return_goes_from_request_to_refund_through_the_desk(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    rid, placed, lamp = await lamp_return(make_product, shopper_viewer, unique)
    viewer = await staff_with(Permission.ORDERS_VIEW)
    decider = await staff_with(Permission.ORDERS_REFUND)
    packer = await staff_with(Permission.ORDERS_FULFIL)

    listed = await api.get("/admin/returns", params={"status": "requested"}, headers=viewer)
    assert listed.status_code == 200, listed.text
    row = next(item for item in listed.json()["items"] if item["id"] == str(rid))
    assert row["order_number"] == placed.number
    assert (row["status"], row["item_count"], row["reason"]) == ("requested", 2, "Does not fit")
    assert row["refund_amount"] is None
    assert listed.json()["pagination"]["total"] >= 1

    seen = await api.get(f"/admin/returns/{rid}", headers=viewer)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["allowed_actions"] == []  # a viewer takes no step
    assert body["items"] == [{"name": f"Lamp {unique}", "quantity": 2, "exchange_for": None}]
    assert body["comment"] == "Too small."
    assert body["order_lines"][0]["delivered"] == 3
    assert body["order_lines"][0]["returnable"] == 1
    assert body["suggested_refund"] == "60.00"
    deciding = (await api.get(f"/admin/returns/{rid}", headers=decider)).json()
    assert deciding["allowed_actions"] == ["approve", "reject"]

    approved = await api.post(
        f"/admin/returns/{rid}/approve",
        json={"note": "Use any carrier."},
        headers=with_key(decider),
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decision_note"]) == (
        "approved",
        "Use any carrier.",
    )
    assert approved.json()["allowed_actions"] == []  # receiving is the packer's step
    assert (await api.get(f"/admin/returns/{rid}", headers=packer)).json()["allowed_actions"] == [
        "receive"
    ]

    received = await api.post(
        f"/admin/returns/{rid}/receive", json={"restock": True}, headers=with_key(packer)
    )
    assert received.status_code == 200, received.text
    assert (received.json()["status"], received.json()["restocked"]) == ("received", True)
    assert await stock_of(lamp) == 4  # 5 − 3 sold + 2 back

    refunded = await api.post(f"/admin/returns/{rid}/refund", json={}, headers=with_key(decider))
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded"
    assert refunded.json()["refund_amount"] == "60.00"
    assert refunded.json()["refundable"] == "30.00"

    again = (await api.get(f"/admin/returns/{rid}", headers=viewer)).json()
    assert (again["status"], again["refund_amount"]) == ("refunded", "60.00")
    order = (await api.get(f"/orders/{placed.number}", headers=viewer)).json()
    assert (order["payment_status"], order["refunded"]) == ("partially_refunded", "60.00")
    done = await api.get("/admin/returns", params={"status": "refunded"}, headers=viewer)
    assert str(rid) in {item["id"] for item in done.json()["items"]}
    waiting = await api.get(
        "/admin/returns", params={"status": "requested", "limit": 100}, headers=viewer
    )
    assert str(rid) not in {item["id"] for item in waiting.json()["items"]}


async def test_a_rejected_return_gives_its_items_back_to_returnable(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    rid, _, lamp = await lamp_return(make_product, shopper_viewer, unique)
    decider = await staff_with(Permission.ORDERS_REFUND)

    missing = await api.post(f"/admin/returns/{rid}/reject", json={}, headers=with_key(decider))
    assert "reason" in assert_problem(missing, 400)["errors"]
    blank = await api.post(
        f"/admin/returns/{rid}/reject", json={"reason": "   "}, headers=with_key(decider)
    )
    assert "reason" in assert_problem(blank, 400)["errors"]
    assert (await api.get(f"/admin/returns/{rid}", headers=decider)).json()["status"] == "requested"

    rejected = await api.post(
        f"/admin/returns/{rid}/reject",
        json={"reason": "Worn items cannot be returned."},
        headers=with_key(decider),
    )
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert (body["status"], body["decision_note"]) == ("rejected", "Worn items cannot be returned.")
    assert body["order_lines"][0]["returnable"] == 3
    assert body["allowed_actions"] == []
    # A decided return cannot be decided again; nothing moved.
    twice = await api.post(f"/admin/returns/{rid}/approve", json={}, headers=with_key(decider))
    assert_problem(twice, 409)
    assert (await api.get(f"/admin/returns/{rid}", headers=decider)).json()["status"] == "rejected"
    assert await stock_of(lamp) == 2


async def test_each_step_needs_its_permission_and_refusals_change_nothing(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    rid, _, _ = await lamp_return(make_product, shopper_viewer, unique)
    shopper = await bearer(shopper_viewer)
    viewer = await staff_with(Permission.ORDERS_VIEW)
    packer = await staff_with(Permission.ORDERS_FULFIL)
    decider = await staff_with(Permission.ORDERS_REFUND)

    assert_problem(await api.get("/admin/returns"), 401)
    assert_problem(await api.get(f"/admin/returns/{rid}"), 401)
    assert_problem(await api.post(f"/admin/returns/{rid}/approve", json={}), 401)
    assert_problem(await api.get("/admin/returns", headers=shopper), 403)
    assert_problem(await api.get(f"/admin/returns/{rid}", headers=shopper), 403)
    for who in (shopper, viewer, packer):
        refused = await api.post(f"/admin/returns/{rid}/approve", json={}, headers=with_key(who))
        assert_problem(refused, 403)
    # 403 comes before reading the body.
    assert_problem(
        await api.post(f"/admin/returns/{rid}/reject", json={}, headers=with_key(packer)), 403
    )
    assert_problem(
        await api.post(f"/admin/returns/{rid}/receive", json={}, headers=with_key(decider)), 403
    )
    assert_problem(
        await api.post(f"/admin/returns/{rid}/refund", json={}, headers=with_key(packer)), 403
    )
    assert (await api.get(f"/admin/returns/{rid}", headers=viewer)).json()["status"] == "requested"

    unknown = uuid.uuid4()
    assert_problem(await api.get(f"/admin/returns/{unknown}", headers=viewer), 404)
    assert_problem(
        await api.post(f"/admin/returns/{unknown}/approve", json={}, headers=with_key(decider)),
        404,
    )
    assert_problem(
        await api.post(f"/admin/returns/{unknown}/receive", json={}, headers=with_key(packer)),
        404,
    )

    bad_filter = await api.get("/admin/returns", params={"status": "lost"}, headers=viewer)
    assert "status" in assert_problem(bad_filter, 400)["errors"]
    too_long = await api.post(
        f"/admin/returns/{rid}/approve", json={"note": "x" * 501}, headers=with_key(decider)
    )
    assert "note" in assert_problem(too_long, 400)["errors"]

    # Out of order: receiving or refunding a return nobody approved.
    assert_problem(
        await api.post(f"/admin/returns/{rid}/receive", json={}, headers=with_key(packer)), 409
    )
    assert_problem(
        await api.post(f"/admin/returns/{rid}/refund", json={}, headers=with_key(decider)), 409
    )
    assert (await api.get(f"/admin/returns/{rid}", headers=viewer)).json()["status"] == "requested"


async def test_a_refund_above_what_is_left_is_refused_and_the_return_stays_received(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    rid, placed, lamp = await lamp_return(make_product, shopper_viewer, unique)
    decider = await staff_with(Permission.ORDERS_REFUND)
    packer = await staff_with(Permission.ORDERS_FULFIL)
    assert (
        await api.post(f"/admin/returns/{rid}/approve", json={}, headers=with_key(decider))
    ).status_code == 200
    kept = await api.post(
        f"/admin/returns/{rid}/receive", json={"restock": False}, headers=with_key(packer)
    )
    assert (kept.json()["status"], kept.json()["restocked"]) == ("received", False)
    assert await stock_of(lamp) == 2  # not restocked

    too_much = await api.post(
        f"/admin/returns/{rid}/refund", json={"amount": "90.01"}, headers=with_key(decider)
    )
    assert "amount" in assert_problem(too_much, 400)["errors"]
    malformed = await api.post(
        f"/admin/returns/{rid}/refund", json={"amount": "12.345"}, headers=with_key(decider)
    )
    assert "amount" in assert_problem(malformed, 400)["errors"]
    after = (await api.get(f"/admin/returns/{rid}", headers=decider)).json()
    assert (after["status"], after["refund_amount"], after["refundable"]) == (
        "received",
        None,
        "90.00",
    )

    partial = await api.post(
        f"/admin/returns/{rid}/refund", json={"amount": "45.00"}, headers=with_key(decider)
    )
    assert (partial.json()["status"], partial.json()["refund_amount"]) == ("refunded", "45.00")
    order = (await api.get(f"/orders/{placed.number}", headers=decider)).json()
    assert order["refunded"] == "45.00"


async def test_approving_an_exchange_also_needs_orders_edit_and_sends_the_exchange_order(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    product_id = await make_product(name=f"Swap Jacket {unique}")
    await variants.save_variants(
        product_id,
        {
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [
                {
                    "sku": f"SW-{unique}-{size}",
                    "price": "80.00",
                    "option_values": [size],
                    "stock_quantity": 3,
                }
                for size in ("M", "L")
            ],
        },
        actor=await catalog_manager(),
    )
    sizes = {
        v.option_values[0]: v.id for v in (await catalog_queries.get_product(product_id)).variants
    }
    placed = await delivered_order({sizes["M"]: 1}, shopper_viewer)
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    line = found.lines[0]
    number = await return_requests.request_return(
        placed.id,
        viewer=shopper_viewer,
        quantities={line.order_line_id: 1},
        reason="does_not_fit",
        request_key=uuid.uuid4().hex,
        exchanges={line.order_line_id: sizes["L"]},
    )
    async with session_scope() as session:
        rid = (
            await session.exec(select(ReturnRequest.id).where(ReturnRequest.number == number))
        ).one()
    decider = await staff_with(Permission.ORDERS_REFUND)
    exchanger = await staff_with(Permission.ORDERS_REFUND, Permission.ORDERS_EDIT)

    seen = (await api.get(f"/admin/returns/{rid}", headers=decider)).json()
    assert seen["items"][0]["exchange_for"]
    assert seen["exchange_order"] is None
    choices = seen["order_lines"][0]["exchange_choices"]
    assert [(c["variant_id"], c["price"]) for c in choices] == [(str(sizes["L"]), "80.00")]

    refused = await api.post(f"/admin/returns/{rid}/approve", json={}, headers=with_key(decider))
    assert_problem(refused, 403)
    assert (await api.get(f"/admin/returns/{rid}", headers=decider)).json()["status"] == "requested"

    approved = await api.post(f"/admin/returns/{rid}/approve", json={}, headers=with_key(exchanger))
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert body["exchange_order"]["number"]
    assert body["exchange_order"]["to_pay"] == "0.00"  # the same price
    sent = await api.get(f"/orders/{body['exchange_order']['number']}", headers=exchanger)
    assert sent.status_code == 200, sent.text
    assert [line["sku"] for line in sent.json()["lines"]] == [f"SW-{unique}-L"]
