"""Payments through the built-in test gateway: every card outcome, no double charge, refunds,
and provider notifications that may repeat or arrive out of order."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.catalog.models import Product
from backend.checkout import services as checkout
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.models import OutboxEvent
from backend.orders import services as orders
from backend.orders.models import Order
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.errors import PaymentRefusedError
from backend.payments.events import PaidAfterCancellation
from backend.payments.gateway import GatewayEvent
from backend.payments.models import PaymentTransaction
from jobs.event_handlers.order_follow_ups import refund_payment_after_cancellation
from jobs.worker import settle_test_payments_job
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, checkout_details, tab_that_placed


async def order_state(order_id: uuid.UUID) -> tuple[str, str, Decimal]:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order.status, order.payment_status, order.refunded_amount


async def transactions(order_id: uuid.UUID) -> list[PaymentTransaction]:
    async with session_scope() as session:
        return list(
            (
                await session.exec(
                    select(PaymentTransaction).where(PaymentTransaction.order_id == order_id)
                )
            ).all()
        )


async def events_of(order_id: uuid.UUID, event_type: str) -> int:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == str(order_id), OutboxEvent.event_type == event_type
                )
            )
        ).all()
    return len(rows)


@pytest.fixture
async def order(make_product: MakeProduct, place_order: PlaceOrder) -> uuid.UUID:
    product = await make_product(price=Decimal("40.00"), stock_quantity=5)
    return (await place_order({product: 2})).id  # 80.00, free shipping


async def test_the_success_card_pays_the_order(order: uuid.UUID) -> None:
    outcome = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="a1"
    )

    assert outcome.status == "succeeded"
    assert await order_state(order) == ("paid", "paid", Decimal(0))
    [transaction] = await transactions(order)
    assert (transaction.kind, transaction.status, transaction.amount) == (
        "payment",
        "succeeded",
        Decimal("80.00"),
    )
    assert await events_of(order, "OrderPaid") == 1


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (cards.DECLINED, "declined"),
        (cards.INSUFFICIENT_FUNDS, "insufficient funds"),
        ("4111 1111 1111 1111", "test payments only"),
    ],
)
async def test_failing_cards_leave_the_order_payable(
    order: uuid.UUID, card: str, message: str
) -> None:
    outcome = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=card, attempt_key="first"
    )

    assert outcome.status == "failed"
    assert message in outcome.message
    assert await order_state(order) == ("pending_payment", "failed", Decimal(0))
    retry = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="second"
    )
    assert retry.status == "succeeded"
    assert (await order_state(order))[:2] == ("paid", "paid")


async def test_a_card_needing_confirmation_waits_for_the_shopper(order: uuid.UUID) -> None:
    outcome = await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=cards.NEEDS_AUTHENTICATION,
        attempt_key="3ds",
    )
    assert outcome.status == "requires_action"
    assert (await order_state(order))[1] == "requires_action"

    confirmed = await payments.confirm_payment(order, shopper=tab_that_placed(order), approve=True)

    assert confirmed.status == "succeeded"
    assert (await order_state(order))[:2] == ("paid", "paid")


async def test_a_refused_confirmation_fails_the_payment(order: uuid.UUID) -> None:
    await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=cards.NEEDS_AUTHENTICATION,
        attempt_key="x",
    )

    refused = await payments.confirm_payment(order, shopper=tab_that_placed(order), approve=False)

    assert refused.status == "failed"
    assert await order_state(order) == ("pending_payment", "failed", Decimal(0))


async def test_the_later_card_is_paid_by_a_notification(order: uuid.UUID) -> None:
    outcome = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS_LATER, attempt_key="l"
    )
    assert outcome.status == "processing"
    assert (await order_state(order))[1] == "processing"

    # The worker's job announces due payments; nothing is due before the delay.
    [transaction] = await transactions(order)
    assert transaction.reference is not None
    assert transaction.reference not in await cards.due_settlements(now=0)
    settled = 0
    for _ in range(100):
        settled += await settle_test_payments_job({})
        if (await order_state(order))[1] == "paid":
            break
        await asyncio.sleep(0.1)

    assert settled >= 1
    assert await order_state(order) == ("paid", "paid", Decimal(0))
    assert await events_of(order, "OrderPaid") == 1


async def test_one_payment_form_submitted_twice_at_once_charges_once(order: uuid.UUID) -> None:
    outcomes = await asyncio.gather(
        payments.pay_order(
            order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="same"
        ),
        payments.pay_order(
            order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="same"
        ),
    )

    assert {o.transaction_id for o in outcomes} == {outcomes[0].transaction_id}
    assert len(await transactions(order)) == 1
    assert await events_of(order, "OrderPaid") == 1


async def test_a_paid_order_cannot_be_paid_again(order: uuid.UUID) -> None:
    await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="1"
    )
    with pytest.raises(PaymentRefusedError, match="nothing to pay"):
        await payments.pay_order(
            order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="2"
        )


async def test_partial_then_full_refund(order: uuid.UUID) -> None:
    await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="p"
    )

    first = await payment_refunds.refund_order(
        order, amount=Decimal("30.00"), request_key="r1", actor="admin"
    )
    again = await payment_refunds.refund_order(
        order, amount=Decimal("30.00"), request_key="r1", actor="admin"
    )  # a retry of the same request
    assert (first, again) == (Decimal("30.00"), Decimal("30.00"))
    assert await order_state(order) == ("paid", "partially_refunded", Decimal("30.00"))
    with pytest.raises(InvalidInputError) as too_much:
        await payment_refunds.refund_order(
            order, amount=Decimal("60.00"), request_key="r2", actor="a"
        )
    assert too_much.value.field_errors == {"amount": "At most $50.00."}

    rest = await payment_refunds.refund_order(order, amount=None, request_key="r3", actor="admin")

    assert rest == Decimal("50.00")
    assert await order_state(order) == ("paid", "refunded", Decimal("80.00"))
    refunds = [t for t in await transactions(order) if t.kind == "refund"]
    assert sorted(t.amount for t in refunds if t.status == "succeeded") == [
        Decimal("30.00"),
        Decimal("50.00"),
    ]
    assert await events_of(order, "PaymentRefunded") == 2


async def test_notifications_repeated_and_shuffled_end_in_the_same_state(
    order: uuid.UUID, make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS_LATER, attempt_key="n"
    )
    [transaction] = await transactions(order)
    reference = str(transaction.reference)
    start = utcnow()
    sequence = [
        GatewayEvent(
            f"evt_{uuid.uuid4().hex}", "payment_intent.processing", reference, "processing", start
        ),
        GatewayEvent(
            f"evt_{uuid.uuid4().hex}",
            "payment_intent.succeeded",
            reference,
            "succeeded",
            start + timedelta(seconds=2),
        ),
        GatewayEvent(
            f"evt_{uuid.uuid4().hex}",
            "charge.failed.late",
            reference,
            "failed",
            start + timedelta(seconds=1),
        ),
    ]
    shuffled = sequence * 2
    random.Random(7).shuffle(shuffled)

    applied = [await payments.apply_gateway_event(event, gateway="test") for event in shuffled]

    assert applied.count(True) == 3  # each event id once
    state = await order_state(order)
    assert state[:2] == ("paid", "paid")
    assert await events_of(order, "OrderPaid") == 1


async def test_a_failed_payment_keeps_the_cart_and_expiry_returns_the_stock(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(price=Decimal("25.00"), stock_quantity=3)
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, lamp, 2)
    placed = await orders.place_order(
        cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )

    failed = await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.DECLINED,
        attempt_key="f",
    )
    await checkout.forget_paid_cart_lines(placed.id)  # what the OrderPaid handler does

    assert failed.status == "failed"
    assert (await cart_queries.get_cart(owner)).item_count == 2  # the cart is intact
    async with session_scope() as session:
        await session.exec(
            update(Order)
            .where(col(Order.id) == placed.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    await orders.expire_unpaid_orders()
    async with session_scope() as session:
        stock = (await session.exec(select(Product.stock_quantity).where(Product.id == lamp))).one()
    assert stock == 3
    assert (await order_state(placed.id))[:2] == ("cancelled", "failed")


async def test_a_payment_confirmed_after_the_order_expired_is_refunded(order: uuid.UUID) -> None:
    await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=cards.NEEDS_AUTHENTICATION,
        attempt_key="slow",
    )
    async with session_scope() as session:  # the shopper took too long at the bank
        await session.exec(
            update(Order)
            .where(col(Order.id) == order)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    await orders.expire_unpaid_orders()
    [transaction] = await transactions(order)
    # The shopper confirms at the bank anyway; the gateway tells us afterwards.
    await cards.TestGateway().confirm_payment(
        str(transaction.reference), idempotency_key="bank", approve=True
    )

    late = GatewayEvent(
        f"evt_{uuid.uuid4().hex}",
        "payment_intent.succeeded",
        str(transaction.reference),
        "succeeded",
        utcnow(),
    )
    await payments.apply_gateway_event(late, gateway="test")
    assert await events_of(order, "PaidAfterCancellation") == 1
    assert await events_of(order, "OrderPaid") == 0  # no "thank you" for a cancelled order
    await refund_payment_after_cancellation(
        PaidAfterCancellation(
            aggregate_id=str(order), order_number="-", transaction_id=str(transaction.id)
        )
    )
    await refund_payment_after_cancellation(  # a redelivery refunds nothing more
        PaidAfterCancellation(
            aggregate_id=str(order), order_number="-", transaction_id=str(transaction.id)
        )
    )

    assert await order_state(order) == ("cancelled", "refunded", Decimal("80.00"))
    refunds = [t for t in await transactions(order) if t.kind == "refund"]
    assert [(t.status, t.amount) for t in refunds] == [("succeeded", Decimal("80.00"))]


async def test_the_longest_keys_fit_and_still_count_once(order: uuid.UUID) -> None:
    """Keys up to the 64-character maximum are stored by digest when long, so the stored
    key never outgrows its column and the same key still means the same operation."""
    long_key = "k" * 64
    first = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key=long_key
    )
    again = await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key=long_key
    )
    assert first.status == again.status == "succeeded"
    assert first.transaction_id == again.transaction_id
    refund_key = "r" * 64
    refunded = await payment_refunds.refund_order(
        order, amount=Decimal("5.00"), request_key=refund_key, actor="admin"
    )
    repeated = await payment_refunds.refund_order(
        order, amount=Decimal("5.00"), request_key=refund_key, actor="admin"
    )
    assert refunded == repeated == Decimal("5.00")
    assert await order_state(order) == ("paid", "partially_refunded", Decimal("5.00"))


async def test_an_order_paid_through_the_test_gateway_says_so_everywhere(order: uuid.UUID) -> None:
    from api.v1.order_schemas import OrderOut
    from backend.payments.gateway import offered_test_cards
    from backend.payments.queries import get_order_with_payments
    from ui.order_view import order_view

    await payments.pay_order(
        order, shopper=tab_that_placed(order), payment_method=cards.SUCCEEDS, attempt_key="t1"
    )
    async with session_scope() as session:
        number = (await session.get_one(Order, order)).number
    detail = await get_order_with_payments(number)

    assert detail.test_payment  # the shopper's and the staff order page show it from here
    assert order_view(detail).test_payment
    assert OrderOut.of(detail).test_payment  # and the REST API
    assert cards.SUCCEEDS in offered_test_cards()  # checkout lists the test cards
