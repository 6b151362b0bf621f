"""Cancelling an order: one rule for every door (the order page, the checkout, the
admin's order page, the REST API).

- The shopper (`shopper`; refused unless the order is theirs) cancels an order while it
  waits for payment.
- An admin (`by`) cancels an unpaid order the same way, or a paid one that has not
  shipped: what was paid is refunded in full first, then the order is cancelled.
  The refund's idempotency key is the order's own (`refund_key`), so one refund is made
  per order however often, and through whichever door, it is cancelled.

Either way the goods go back into stock and the discount code's use comes back
(`orders.services.cancel_order_locked`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit.services import actor_label
from backend.orders import fulfilment
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.ownership import Shopper
from backend.orders.queries import OrderDetail
from backend.payments import refunds as payment_refunds


def refund_key(order_id: uuid.UUID) -> str:
    """The one refund request of an order's cancellation."""
    return f"cancel-{order_id}"


def cancelling_refunds(order: OrderDetail) -> bool:
    """Whether cancelling this order refunds it (a paid order that has not shipped)."""
    return order.status == "paid"


def staff_may_cancel(order: OrderDetail) -> bool:
    """Whether an admin may cancel this order now: unpaid, or paid and not shipped."""
    return order.can_cancel or cancelling_refunds(order)


@dataclass(frozen=True)
class CancellationPreview:
    """What an admin's cancel would do to an order now."""

    may_cancel: bool  # `staff_may_cancel`
    refunds: bool  # `cancelling_refunds`: it is paid and has not shipped
    refund_amount: Decimal  # what goes back first: what came in less what was refunded


def preview_cancellation(order: OrderDetail) -> CancellationPreview:
    """What cancelling this order as an admin would refund (nothing is changed). The
    refund is what came in, not the total: an edit may have changed it since."""
    refunds = cancelling_refunds(order)
    left = order.amount_paid - order.refunded_amount if refunds else Decimal("0.00")
    return CancellationPreview(staff_may_cancel(order), refunds, max(left, Decimal("0.00")))


async def cancel_order(
    order_id: uuid.UUID, *, shopper: Shopper | None = None, by: Viewer | None = None
) -> Decimal:
    """Cancel the order (see the module's rules) for exactly one of `shopper` and `by`.
    Returns the amount refunded now. Raises InvalidTransitionError when the order is past
    cancelling for this caller (or its payment is in progress), NotFoundError when it is
    not the shopper's, PermissionDeniedError when `by` is not an admin."""
    if (shopper is None) == (by is None):
        raise TypeError("cancel_order needs exactly one of shopper= and by=")
    if shopper is not None:
        await orders.cancel_unpaid_order(order_id, shopper=shopper)
        return Decimal(0)
    admin = require_permission(by, Permission.ORDERS_REFUND, "cancel orders")
    if await order_queries.order_status(order_id) == "paid":
        return await cancel_paid_order(order_id, request_key=refund_key(order_id), actor=admin)
    await orders.cancel_unpaid_order(order_id, by=by)
    return Decimal(0)


async def cancel_paid_order(order_id: uuid.UUID, *, request_key: str, actor: Viewer) -> Decimal:
    """Cancel a paid, unshipped order: refund what is left through the gateway first
    (nothing is cancelled if the refund fails), then cancel and restock. Returns the
    amount refunded now."""
    left = await fulfilment.amount_to_refund_on_cancel(order_id, actor=actor)
    refunded = Decimal(0)
    if left > 0:
        refunded = await payment_refunds.refund_order(
            order_id, amount=left, request_key=request_key, actor=actor_label(actor), by=actor
        )
    await fulfilment.cancel_refunded_order(order_id, actor=actor)
    return refunded
