"""Staff actions on orders: ship, deliver, cancel a paid order with its refund."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlmodel import select

from backend.accounts import authentication
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog.models import Product
from backend.checkout import cancellation
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.models import OutboxEvent
from backend.orders import fulfilment
from backend.orders.errors import InvalidTransitionError
from backend.orders.models import Order
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed


async def order_row(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


@pytest.fixture
async def paid_order(
    make_product: MakeProduct, place_order: PlaceOrder
) -> tuple[uuid.UUID, uuid.UUID]:
    product = await make_product(price=Decimal("30.00"), stock_quantity=4)
    placed = await place_order({product: 3}, phone="+15551234567")
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="p",
    )
    return placed.id, product


async def test_a_packer_ships_but_cannot_refund_or_cancel_and_nothing_is_written(
    paid_order: tuple[uuid.UUID, uuid.UUID], make_user: MakeUser
) -> None:
    packer_login = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    packer = (
        await authentication.sign_in(email=packer_login.email, password=packer_login.password)
    ).viewer
    order_id, _ = paid_order
    with pytest.raises(PermissionDeniedError):
        await payment_refunds.refund_order(
            order_id, amount=Decimal("1.00"), request_key="r", actor="packer", by=packer
        )
    with pytest.raises(PermissionDeniedError):
        await cancellation.cancel_paid_order(order_id, request_key="c", actor=packer)
    assert (await order_row(order_id)).refunded_amount == 0

    await fulfilment.fulfil_order(order_id, carrier="UPS", tracking_number="1Z9", actor=packer)
    await fulfilment.mark_delivered(order_id, actor=packer)
    order = await order_row(order_id)
    assert (order.status, order.payment_status) == ("delivered", "paid")


async def test_shipping_then_delivering_follows_the_status_machine(
    paid_order: tuple[uuid.UUID, uuid.UUID], admin_viewer: Viewer
) -> None:
    order_id, _ = paid_order
    with pytest.raises(InvalidTransitionError):
        await fulfilment.mark_delivered(order_id, actor=admin_viewer)  # not shipped yet
    with pytest.raises(InvalidInputError) as missing:
        await fulfilment.fulfil_order(order_id, carrier=" ", tracking_number="", actor=admin_viewer)
    assert set(missing.value.field_errors) == {"carrier", "tracking_number"}

    await fulfilment.fulfil_order(
        order_id, carrier="UPS", tracking_number="1Z999", actor=admin_viewer
    )
    await fulfilment.mark_delivered(order_id, actor=admin_viewer)

    order = await order_row(order_id)
    assert (order.status, order.carrier, order.tracking_number) == ("delivered", "UPS", "1Z999")
    async with session_scope() as session:
        shipped = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == str(order_id),
                    OutboxEvent.event_type == "OrderFulfilled",
                )
            )
        ).all()
    assert len(shipped) == 1
    assert shipped[0].payload["phone"] == "+15551234567"
    with pytest.raises(InvalidTransitionError):
        await cancellation.cancel_paid_order(order_id, request_key="c", actor=admin_viewer)


async def test_cancelling_a_paid_order_refunds_it_and_restocks(
    paid_order: tuple[uuid.UUID, uuid.UUID], admin_viewer: Viewer
) -> None:
    order_id, product = paid_order

    refunded = await cancellation.cancel_paid_order(order_id, request_key="c1", actor=admin_viewer)

    order = await order_row(order_id)
    assert refunded == Decimal("90.00")  # free shipping from $75
    assert (order.status, order.payment_status, order.refunded_amount) == (
        "cancelled",
        "refunded",
        Decimal("90.00"),
    )
    async with session_scope() as session:
        stock = (
            await session.exec(select(Product.stock_quantity).where(Product.id == product))
        ).one()
    assert stock == 4

    entries = await audit.list_entries(entity_type="order", entity_id=order.number)
    assert [e.action for e in entries.items] == ["order.cancelled", "order.refunded"]
    refund = entries.items[1]
    assert refund.actor.startswith(admin_viewer.username)
    assert refund.after is not None
    assert refund.after["amount"] == "90.00"


async def test_a_shopper_cannot_ship_refund_or_cancel_and_nothing_changes(
    paid_order: tuple[uuid.UUID, uuid.UUID], shopper_viewer: Viewer
) -> None:
    order_id, _ = paid_order
    attempts = [
        fulfilment.fulfil_order(order_id, carrier="X", tracking_number="1", actor=shopper_viewer),
        fulfilment.mark_delivered(order_id, actor=shopper_viewer),
        cancellation.cancel_paid_order(order_id, request_key="c", actor=shopper_viewer),
        payment_refunds.refund_order(
            order_id, amount=None, request_key="r", actor="x", by=shopper_viewer
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError):
            await attempt

    order = await order_row(order_id)
    assert (order.status, order.payment_status, order.refunded_amount) == ("paid", "paid", 0)
    assert (await audit.list_entries(entity_id=order.number)).total == 0
