"""Exchanges in returns (#22 item 3): a returned line swapped for another size, its stock
held from the request, sent on approval by an exchange order priced less the returned
goods' credit, and the difference settled: nothing for the same price, a payment link
for a dearer size, the unused credit refunded for a cheaper one."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from decimal import Decimal

import pytest
from sqlmodel import col, select

import backend.event_registry  # noqa: F401  (event types, for event_from_row)
from backend.accounts import authentication
from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog import queries, variants
from backend.catalog.models import ProductVariant
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.inventory.models import StockMovement
from backend.orders import fulfilment
from backend.orders import services as orders
from backend.orders.models import Order, OrderLine, OrderStatusChange
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.returns import deciding as return_decisions
from backend.returns import queries as return_queries
from backend.returns import receiving as return_receipts
from backend.returns import requesting as return_requests
from backend.returns.events import ReturnApproved
from backend.returns.models import ReturnLine, ReturnRequest
from tests.fixtures.accounts import MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed

PRICES = {"S": "70.00", "M": "80.00", "L": "90.00"}


async def jacket(
    make_product: MakeProduct,
    unique: str,
    stock: dict[str, int],
    prices: dict[str, str] | None = None,
) -> dict[str, uuid.UUID]:
    """A jacket in sizes S (70.00), M (80.00), L (90.00) unless `prices` says otherwise;
    size → variant id, and "product" → the product's id."""
    prices = PRICES | (prices or {})
    product_id = await make_product(name=f"Swap Jacket {unique}")
    await variants.save_variants(
        product_id,
        {
            "options": [{"name": "Size", "values": list(stock)}],
            "variants": [
                {
                    "sku": f"SW-{unique}-{size}",
                    "price": prices[size],
                    "option_values": [size],
                    "stock_quantity": count,
                }
                for size, count in stock.items()
            ],
        },
        actor=await catalog_manager(),
    )
    record = await queries.get_product(product_id)
    return {v.option_values[0]: v.id for v in record.variants} | {"product": product_id}


async def delivered_order(viewer: Viewer, variant_id: uuid.UUID) -> orders.PlacedOrder:
    owner = cart_owners.user_owner(viewer.user_id)
    await carts.add_item(owner, variant_id, 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=viewer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=viewer.user_id,
    )
    await pay(placed.id)
    staff = await catalog_manager()
    await fulfilment.fulfil_order(placed.id, carrier="UPS", tracking_number="1Z", actor=staff)
    await fulfilment.mark_delivered(placed.id, actor=staff)
    return placed


async def pay(order_id: uuid.UUID) -> None:
    outcome = await payments.pay_order(
        order_id,
        shopper=tab_that_placed(order_id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    assert outcome.status == "succeeded"


async def only_line(order_id: uuid.UUID) -> uuid.UUID:
    async with session_scope() as session:
        return (
            await session.exec(select(OrderLine.id).where(OrderLine.order_id == order_id))
        ).one()


async def ask_exchange(
    placed: orders.PlacedOrder, viewer: Viewer, variant_id: uuid.UUID, *, key: str = ""
) -> uuid.UUID:
    line_id = await only_line(placed.id)
    number = await return_requests.request_return(
        placed.id,
        viewer=viewer,
        quantities={line_id: 1},
        reason="does_not_fit",
        request_key=key or uuid.uuid4().hex,
        exchanges={line_id: variant_id},
    )
    async with session_scope() as session:
        return (
            await session.exec(select(ReturnRequest.id).where(ReturnRequest.number == number))
        ).one()


async def stock_of(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


async def request_row(return_id: uuid.UUID) -> ReturnRequest:
    async with session_scope() as session:
        request = await session.get(ReturnRequest, return_id)
    assert request is not None
    return request


async def exchange_order(return_id: uuid.UUID) -> Order:
    request = await request_row(return_id)
    assert request.exchange_order_id is not None
    async with session_scope() as session:
        order = await session.get(Order, request.exchange_order_id)
    assert order is not None
    return order


async def ledger(variant_id: uuid.UUID) -> list[tuple[int, str]]:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(StockMovement.change, StockMovement.reason)
                .where(StockMovement.variant_id == variant_id)
                .order_by(col(StockMovement.created_at), col(StockMovement.id))
            )
        ).all()
    return [(change, reason) for change, reason in rows]


async def test_a_size_swap_at_the_same_price_holds_stock_at_once_and_ships_paid_by_the_credit(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    ids = await jacket(make_product, unique, {"M": 3, "L": 1}, prices={"L": "80.00"})
    placed = await delivered_order(shopper_viewer, ids["M"])

    return_id = await ask_exchange(placed, shopper_viewer, ids["L"])

    assert await stock_of(ids["L"]) == 0  # held at once, before anyone decides
    assert (-1, "exchange_held") in await ledger(ids["L"])
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert found.returns[0].items[0].exchange_for.endswith("(L)")
    assert found.returns[0].suggested_refund == Decimal("0.00")  # the credit is kept for it

    await return_decisions.approve_return(return_id, note="", actor=admin_viewer)

    sent = await exchange_order(return_id)
    assert (sent.status, sent.payment_status) == ("paid", "paid")
    assert (sent.subtotal, sent.discount, sent.shipping, sent.total) == (
        Decimal("80.00"),
        Decimal("80.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert (sent.order_promotion_title or "").startswith("Exchange credit: return RT-")
    assert (sent.user_id, sent.email) == (shopper_viewer.user_id, shopper_viewer.email)
    assert await stock_of(ids["L"]) == 0  # the hold became the exchange order's
    async with session_scope() as session:
        sent_lines = (
            await session.exec(select(OrderLine).where(OrderLine.order_id == sent.id))
        ).all()
        timeline = (
            await session.exec(
                select(OrderStatusChange.note).where(
                    OrderStatusChange.order_id == placed.id, OrderStatusChange.axis == "return"
                )
            )
        ).all()
        approved = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == str(placed.id),
                    OutboxEvent.event_type == "ReturnApproved",
                )
            )
        ).one()
    assert [(line.variant_id, line.quantity) for line in sent_lines] == [(ids["L"], 1)]
    assert any(f"exchange sent as order {sent.number}" in note for note in timeline)
    event = event_from_row(
        event_type=approved.event_type,
        event_id=approved.id,
        occurred_at=approved.occurred_at,
        aggregate_id=approved.aggregate_id,
        payload=approved.payload,
    )
    assert isinstance(event, ReturnApproved)
    assert (event.exchange_order_number, event.exchange_to_pay) == (sent.number, Decimal(0))

    await return_receipts.receive_return(return_id, restock=True, actor=admin_viewer)

    assert (await request_row(return_id)).status == "exchanged"
    assert await stock_of(ids["M"]) == 3  # 3 − 1 sold + 1 back
    async with session_scope() as session:
        original = await session.get(Order, placed.id)
    assert original is not None
    assert original.refunded_amount == Decimal("0.00")


async def test_a_dearer_size_owes_the_difference_by_a_payment_link_then_ships(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    sizes = await jacket(make_product, unique, {"M": 2, "L": 1})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    return_id = await ask_exchange(placed, shopper_viewer, sizes["L"])

    await return_decisions.approve_return(return_id, note="", actor=admin_viewer)

    sent = await exchange_order(return_id)
    assert (sent.status, sent.total, sent.amount_due) == (
        "pending_payment",
        Decimal("10.00"),
        Decimal("10.00"),
    )
    async with session_scope() as session:
        link_events = (
            await session.exec(
                select(OutboxEvent.payload).where(
                    OutboxEvent.aggregate_id == str(sent.id),
                    OutboxEvent.event_type == "PaymentLinkRequested",
                )
            )
        ).all()
    assert [Decimal(str(p["amount"])) for p in link_events] == [Decimal("10.00")]
    found = await return_queries.returns_for_staff(placed.number, actor=admin_viewer)
    assert found.returns[0].exchange_to_pay == Decimal("10.00")

    await pay(sent.id)

    paid = await exchange_order(return_id)
    assert (paid.status, paid.payment_status, paid.amount_paid) == (
        "paid",
        "paid",
        Decimal("10.00"),
    )
    await return_receipts.receive_return(return_id, restock=False, actor=admin_viewer)
    assert (await request_row(return_id)).status == "exchanged"


async def test_a_cheaper_size_refunds_the_credit_it_did_not_use(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    sizes = await jacket(make_product, unique, {"M": 2, "S": 1})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    return_id = await ask_exchange(placed, shopper_viewer, sizes["S"])
    await return_decisions.approve_return(return_id, note="", actor=admin_viewer)

    sent = await exchange_order(return_id)
    assert (sent.status, sent.total) == ("paid", Decimal("0.00"))  # 70.00 of 80.00 credit

    await return_receipts.receive_return(return_id, restock=True, actor=admin_viewer)

    assert (await request_row(return_id)).status == "received"  # 10.00 is still owed
    found = await return_queries.returns_for_staff(placed.number, actor=admin_viewer)
    assert found.returns[0].suggested_refund == Decimal("10.00")
    refunded = await return_receipts.refund_return(return_id, amount=None, actor=admin_viewer)
    assert refunded == Decimal("10.00")
    async with session_scope() as session:
        original = await session.get(Order, placed.id)
    assert original is not None
    assert (original.payment_status, original.refunded_amount) == (
        "partially_refunded",
        Decimal("10.00"),
    )


async def test_a_cancelled_exchange_order_leaves_the_whole_return_to_refund(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    sizes = await jacket(make_product, unique, {"M": 2, "L": 1})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    return_id = await ask_exchange(placed, shopper_viewer, sizes["L"])
    await return_decisions.approve_return(return_id, note="", actor=admin_viewer)
    sent = await exchange_order(return_id)

    # The customer never paid the difference: the exchange order is cancelled.
    await orders.cancel_unpaid_order(sent.id, by=admin_viewer)
    await return_receipts.receive_return(return_id, restock=True, actor=admin_viewer)

    assert await stock_of(sizes["L"]) == 1  # back on sale
    assert (await request_row(return_id)).status == "received"
    assert await return_receipts.refund_return(
        return_id, amount=None, actor=admin_viewer
    ) == Decimal("80.00")


async def test_rejecting_an_exchange_puts_the_held_stock_back(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    sizes = await jacket(make_product, unique, {"M": 2, "L": 1})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    return_id = await ask_exchange(placed, shopper_viewer, sizes["L"])
    assert await stock_of(sizes["L"]) == 0

    await return_decisions.reject_return(return_id, reason="Worn.", actor=admin_viewer)

    assert await stock_of(sizes["L"]) == 1
    assert await ledger(sizes["L"]) == [(-1, "exchange_held"), (1, "exchange_released")]
    assert (await request_row(return_id)).exchange_order_id is None


async def test_an_exchange_for_a_sold_out_or_foreign_variant_is_refused_and_writes_nothing(
    make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    sizes = await jacket(make_product, unique, {"M": 2, "L": 0})
    other = await jacket(make_product, f"{unique}o", {"M": 2, "L": 5})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    line_id = await only_line(placed.id)

    for wanted, message in (
        (sizes["L"], "just sold out"),
        (other["L"], "same product"),
        (sizes["M"], "same product"),  # the very variant returned
    ):
        with pytest.raises(InvalidInputError) as refused:
            await return_requests.request_return(
                placed.id,
                viewer=shopper_viewer,
                quantities={line_id: 1},
                reason="does_not_fit",
                request_key=uuid.uuid4().hex,
                exchanges={line_id: wanted},
            )
        assert message in refused.value.field_errors[f"exchange-{line_id}"]
    async with session_scope() as session:
        written = (
            await session.exec(select(ReturnRequest).where(ReturnRequest.order_id == placed.id))
        ).all()
    assert written == []
    assert await stock_of(other["L"]) == 5


async def test_two_shoppers_racing_for_the_last_size_get_one_exchange(
    make_product: MakeProduct,
    make_user: MakeUser,
    unique: str,
) -> None:
    sizes = await jacket(make_product, unique, {"M": 4, "L": 1})
    buyers = [
        (await authentication.sign_in(email=c.email, password=c.password)).viewer
        for c in [await make_user(), await make_user()]
    ]
    placed = [await delivered_order(buyer, sizes["M"]) for buyer in buyers]

    outcomes = await asyncio.gather(
        *(
            ask_exchange(order, buyer, sizes["L"])
            for order, buyer in zip(placed, buyers, strict=True)
        ),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["InvalidInputError", "UUID"]
    assert await stock_of(sizes["L"]) == 0
    async with session_scope() as session:
        held = (
            await session.exec(
                select(ReturnLine).where(ReturnLine.exchange_variant_id == sizes["L"])
            )
        ).all()
    assert len(held) == 1


async def test_approving_an_exchange_needs_the_right_to_take_orders_too(
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    refunds_only_viewer = dataclasses.replace(
        admin_viewer, permissions=frozenset({Permission.ORDERS_VIEW, Permission.ORDERS_REFUND})
    )
    sizes = await jacket(make_product, unique, {"M": 2, "L": 1})
    placed = await delivered_order(shopper_viewer, sizes["M"])
    return_id = await ask_exchange(placed, shopper_viewer, sizes["L"])

    with pytest.raises(PermissionDeniedError):
        await return_decisions.approve_return(return_id, note="", actor=refunds_only_viewer)

    request = await request_row(return_id)
    assert (request.status, request.exchange_order_id) == ("requested", None)
    assert await stock_of(sizes["L"]) == 0  # still held for the decision
