"""The two status machines of an order, one transition table each.

The goods: pending_payment → paid → fulfilled → delivered, and cancelled (before
fulfilment). The money: unpaid → (requires_action | processing) → paid →
partially_refunded → refunded, or failed (a new attempt may follow); an edit that raises a
paid order's total makes it partially_paid until the difference is paid. Any other step is
refused with a clear error, and every step taken is written to the history table.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.orders.errors import InvalidTransitionError
from backend.orders.models import Order, OrderStatusChange

Axis = Literal["order", "payment"]

ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_payment": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"fulfilled", "cancelled"}),
    "fulfilled": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}

PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "unpaid": frozenset({"requires_action", "processing", "paid", "failed"}),
    "requires_action": frozenset({"processing", "paid", "failed"}),
    "processing": frozenset({"paid", "failed"}),
    "failed": frozenset({"requires_action", "processing", "paid", "failed"}),
    "paid": frozenset({"partially_refunded", "refunded", "partially_paid"}),
    # An edit raised the total of a paid order: the difference is owed (or given back).
    "partially_paid": frozenset({"paid", "partially_refunded", "refunded"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded"}),
    "refunded": frozenset(),
}

_LABELS = {
    "pending_payment": "awaiting payment",
    "paid": "paid",
    "fulfilled": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "unpaid": "unpaid",
    "requires_action": "waiting for the card to be confirmed",
    "processing": "payment processing",
    "failed": "payment failed",
    "partially_refunded": "partially refunded",
    "partially_paid": "partially paid",
    "refunded": "refunded",
}


# The payment statuses in which a new order may be paid (again, after a failed attempt).
FIRST_PAYMENT_STATUSES = ("unpaid", "failed", "requires_action")


def awaits_payment(order: Order) -> bool:
    """Whether money is owed on the order now: a new order not paid yet, or a paid one
    whose total an edit raised."""
    if order.status == "pending_payment":
        return order.payment_status in FIRST_PAYMENT_STATUSES
    return order.status == "paid" and order.payment_status == "partially_paid"


def label(status: str) -> str:
    return _LABELS.get(status, status.replace("_", " "))


def can_move(axis: Axis, current: str, target: str) -> bool:
    table = ORDER_TRANSITIONS if axis == "order" else PAYMENT_TRANSITIONS
    return target in table.get(current, frozenset())


def move(
    session: AsyncSession,
    order: Order,
    axis: Axis,
    target: str,
    *,
    actor: str,
    note: str = "",
) -> None:
    """Change one axis of a (locked) order and record the step; refuses invalid steps."""
    current = order.status if axis == "order" else order.payment_status
    if not can_move(axis, current, target):
        what = "order" if axis == "order" else "payment"
        raise InvalidTransitionError(
            f"The {what} of order {order.number} is {label(current)}; "
            f"it cannot become {label(target)}.",
            current=current,
            target=target,
        )
    if axis == "order":
        order.status = target
    else:
        order.payment_status = target
    session.add(order)
    session.add(
        OrderStatusChange(
            order_id=order.id,
            axis=axis,
            from_status=current,
            to_status=target,
            note=note,
            actor=actor,
        )
    )


def record_step(
    session: AsyncSession, order: Order, axis: str, step: str, *, actor: str, note: str = ""
) -> None:
    """Write a step on the order's timeline that changes neither status (an edit, and the
    difference it settled)."""
    session.add(
        OrderStatusChange(order_id=order.id, axis=axis, to_status=step, note=note, actor=actor)
    )
