"""What else follows an order's payment or cancellation: the cart emptied, the gift cards
bought issued, a late payment refunded, the sales funnel counted."""

from __future__ import annotations

import uuid

from backend.checkout import services as checkout
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.orders import services as orders
from backend.orders.events import (
    OrderPaid,
)
from backend.payments import refunds as payment_refunds
from backend.payments.events import PaidAfterCancellation


async def empty_bought_lines_from_cart(event: OrderPaid) -> None:
    # The cart stays as it was until the payment succeeds (a declined card keeps it).
    # The checkout's own last step, for payments that succeed later (notifications).
    await checkout.forget_paid_cart_lines(uuid.UUID(event.aggregate_id))


async def issue_bought_gift_cards(event: OrderPaid) -> None:
    await checkout.issue_bought_gift_cards(uuid.UUID(event.aggregate_id))


async def refund_payment_after_cancellation(event: PaidAfterCancellation) -> None:
    await payment_refunds.refund_payment_after_cancellation(
        uuid.UUID(event.aggregate_id), event.transaction_id
    )


async def count_payment_in_funnel(event: OrderPaid) -> None:
    # Idempotent: a visitor is counted once per day and step however often this runs.
    await funnel.record(FunnelStep.PAID, await orders.cart_key_of(uuid.UUID(event.aggregate_id)))
