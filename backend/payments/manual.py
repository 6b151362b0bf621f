"""Payments taken by hand: a bank transfer or cash that staff record against an unpaid
order (phone and B2B orders, or a customer who paid another way). There is no provider to
call: the payment is written as succeeded, with the method and the staff's reference, and
the order moves to paid exactly as after a card payment (`OrderPaid`). Refunding such a
payment records that the money went back the same way (`refunds.py`)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.orders import status
from backend.orders.events import OrderPaid
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.payments.errors import PaymentRefusedError
from backend.payments.models import PaymentTransaction

MANUAL_GATEWAY = "manual"
MAX_REFERENCE_LENGTH = 100


class ManualMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"


MANUAL_METHOD_LABELS = {ManualMethod.BANK_TRANSFER: "Bank transfer", ManualMethod.CASH: "Cash"}


def parse_manual_payment(method: str, reference: str) -> tuple[ManualMethod, str]:
    """The method and reference staff typed, checked (a transfer needs its reference)."""
    try:
        chosen = ManualMethod(method.strip())
    except ValueError:
        raise InvalidInputError(
            "Choose how the customer paid.", {"method": "Bank transfer or cash."}
        ) from None
    reference = " ".join(reference.split())
    if len(reference) > MAX_REFERENCE_LENGTH:
        message = f"At most {MAX_REFERENCE_LENGTH} characters."
        raise InvalidInputError(message, {"reference": message})
    if chosen is ManualMethod.BANK_TRANSFER and not reference:
        message = "Enter the transfer's reference, as the bank statement shows it."
        raise InvalidInputError(message, {"reference": message})
    return chosen, reference


async def record_manual_payment_locked(
    session: AsyncSession, order: Order, method: ManualMethod, reference: str, *, by: Viewer
) -> None:
    """Record the payment of what is due on an order the caller has locked."""
    require_permission(by, Permission.ORDERS_EDIT, "record payments taken by hand")
    # Not while a card payment may still succeed (the bank's extra step).
    if not status.awaits_payment(order) or order.payment_status == "requires_action":
        raise PaymentRefusedError(
            f"Order {order.number} is {status.label(order.status)} and its payment "
            f"{status.label(order.payment_status)}: there is nothing to record."
        )
    label, amount = MANUAL_METHOD_LABELS[method], order.amount_due
    transaction = PaymentTransaction(
        order_id=order.id,
        gateway=MANUAL_GATEWAY,
        kind="payment",
        status="succeeded",
        amount=amount,
        currency=order.currency,
        # One per amount owed: the order's row lock and its payment status refuse a second.
        idempotency_key=f"manual:{order.id}:{uuid.uuid4().hex}",
        reference=f"{method.value}:{reference}"[:100] if reference else method.value,
    )
    if amount > 0:  # an order staff discounted to nothing has no payment to write
        session.add(transaction)
    actor = actor_label(by)
    note = f"{label}" + (f", reference {reference}" if reference else "")
    order.amount_paid += amount
    status.move(session, order, "payment", "paid", actor=actor, note=note)
    if order.status == "pending_payment":
        status.move(session, order, "order", "paid", actor=actor)
    order.expires_at = None
    await record_event(session, OrderPaid.of(order, amount))
    audit.record(
        session,
        actor=by,
        action="order.paid_by_hand",
        entity_type="order",
        entity_id=order.number,
        after={"method": method.value, "reference": reference, "amount": amount},
    )


async def record_manual_payment(
    order_id: uuid.UUID, *, method: str, reference: str, by: Viewer
) -> None:
    """Staff record that an unpaid order was paid by bank transfer or in cash."""
    require_permission(by, Permission.ORDERS_EDIT, "record payments taken by hand")
    chosen, reference = parse_manual_payment(method, reference)
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        await record_manual_payment_locked(session, order, chosen, reference, by=by)


async def settle_without_payment_locked(
    session: AsyncSession, order: Order, *, note: str, actor: str
) -> None:
    """An order the caller has locked whose total a credit covered (an exchange sent for
    returned goods): nothing is due, so it is paid now, with no transaction to write."""
    if order.status != "pending_payment" or order.amount_due > 0:
        raise PaymentRefusedError(
            f"Order {order.number} owes {order.amount_due}: it is paid by its customer."
        )
    status.move(session, order, "payment", "paid", actor=actor, note=note)
    status.move(session, order, "order", "paid", actor=actor)
    order.expires_at = None
    await record_event(session, OrderPaid.of(order, order.amount_due))
