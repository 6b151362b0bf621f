"""Paying for an order, finishing a payment, provider notifications (refunds: `refunds.py`).

Every operation that can move money is written down before the provider is called: a
`payment_transactions` row with its idempotency key, committed. The call carries that
key, so a retry (a double click, a crash, a timeout) repeats the same operation at the
provider, never a new one. The outcome is applied in a second transaction.

Outcomes only move forward: a payment that succeeded stays succeeded whatever arrives
later, so notifications may come twice or out of order and the end state is the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import to_minor_units
from backend.events.outbox import record_event
from backend.observability import metrics
from backend.orders import status
from backend.orders.events import OrderPaid
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.orders.ownership import Shopper, require_owner
from backend.payments.errors import PaymentRefusedError
from backend.payments.events import PaidAfterCancellation
from backend.payments.gateway import GatewayEvent, GatewayResult, get_gateway
from backend.payments.keys import MAX_ATTEMPT_KEY_LENGTH, stored_key_part
from backend.payments.locks import (
    lock_payment_by_reference_for_update,
    lock_transaction_for_update,
)
from backend.payments.models import PaymentTransaction, WebhookEvent

# How far each transaction status is along: a status never goes back. A failed attempt
# can still succeed (the shopper retries within the same PaymentIntent); a success is final.
_PROGRESS = {"pending": 0, "requires_action": 1, "processing": 2, "failed": 3, "succeeded": 4}


@dataclass(frozen=True)
class PaymentOutcome:
    order_number: str
    status: str  # the transaction's: succeeded, requires_action, processing, failed
    message: str  # for the shopper
    transaction_id: uuid.UUID | None = None
    # For the browser's 3-D Secure step with Stripe.js (Stripe made it for the browser).
    client_secret: str | None = None


def _attempt(order: Order, attempt_key: str) -> str:
    key = attempt_key.strip()
    if not key or len(key) > MAX_ATTEMPT_KEY_LENGTH:
        raise InvalidInputError("This payment form has expired; reload the page.")
    return f"pay:{order.id}:{stored_key_part(key)}"


def _message(result_status: str, failure_message: str | None) -> str:
    return {
        "succeeded": "Payment received. Thank you!",
        "requires_action": "Your bank asks you to confirm this payment.",
        "processing": "Your payment is being processed; we will e-mail you when it is done.",
    }.get(result_status, failure_message or "The payment failed. Try again or use another card.")


async def pay_order(
    order_id: uuid.UUID, *, shopper: Shopper, payment_method: str, attempt_key: str
) -> PaymentOutcome:
    """Charge what the order's gift cards left of its total; only its customer may
    (`backend.orders.ownership`).
    `attempt_key` identifies one submission of the payment form: the same key again
    returns the first attempt's outcome without charging twice."""
    gateway = get_gateway()
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        require_owner(shopper, order.id, order.user_id)
        key = _attempt(order, attempt_key)
        existing = (
            await session.exec(
                select(PaymentTransaction).where(PaymentTransaction.idempotency_key == key)
            )
        ).first()
        if existing is not None and existing.status != "pending":
            return PaymentOutcome(
                order.number,
                existing.status,
                _message(existing.status, existing.failure_message),
                existing.id,
            )
        if existing is None:
            if not status.awaits_payment(order):
                raise PaymentRefusedError(
                    f"Order {order.number} is {status.label(order.status)} and its payment "
                    f"{status.label(order.payment_status)}: there is nothing to pay."
                )
            existing = PaymentTransaction(
                order_id=order.id,
                gateway=gateway.name,
                kind="payment",
                status="pending",
                amount=order.amount_due,  # the total less what was paid (gift cards)
                currency=order.currency,
                idempotency_key=key,
            )
            session.add(existing)
            await session.flush()
        transaction_id, amount, currency = existing.id, existing.amount, existing.currency
        number = order.number
    result = await gateway.create_payment(
        amount_minor=to_minor_units(amount, currency),
        currency=currency,
        payment_method=payment_method,
        idempotency_key=key,
        description=f"Order {number}",
    )
    await _apply(transaction_id, result, actor="shopper")
    metrics.PAYMENTS.labels(result.status).inc()
    return PaymentOutcome(
        number,
        result.status,
        _message(result.status, result.failure_message),
        transaction_id,
        client_secret=result.client_secret,
    )


async def confirm_payment(
    order_id: uuid.UUID, *, shopper: Shopper, approve: bool
) -> PaymentOutcome:
    """The customer's answer to the extra step (3-D Secure) of the order's payment."""
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        require_owner(shopper, order.id, order.user_id)
        waiting = (
            await session.exec(
                select(PaymentTransaction)
                .where(
                    PaymentTransaction.order_id == order.id,
                    PaymentTransaction.kind == "payment",
                    PaymentTransaction.status == "requires_action",
                )
                .order_by(col(PaymentTransaction.created_at).desc())
            )
        ).first()
        if waiting is None or waiting.reference is None:
            raise PaymentRefusedError("This order has no payment waiting for confirmation.")
        transaction_id, reference, key = waiting.id, waiting.reference, waiting.idempotency_key
        number = order.number
    result = await get_gateway().confirm_payment(
        reference, idempotency_key=f"{key}:confirm:{'yes' if approve else 'no'}", approve=approve
    )
    await _apply(transaction_id, result, actor="shopper")
    metrics.PAYMENTS.labels(result.status).inc()
    return PaymentOutcome(
        number, result.status, _message(result.status, result.failure_message), transaction_id
    )


async def _apply(transaction_id: uuid.UUID, result: GatewayResult, *, actor: str) -> None:
    async with session_scope() as session:
        transaction = await lock_transaction_for_update(session, transaction_id)
        if transaction is None:
            raise NotFoundError("There is no such payment.")
        order = await lock_order_for_update(session, transaction.order_id)
        await _apply_locked(session, order, transaction, result, actor=actor)


async def _apply_locked(
    session: AsyncSession,
    order: Order,
    transaction: PaymentTransaction,
    result: GatewayResult,
    *,
    actor: str,
) -> None:
    """Record a payment outcome unless the transaction is already further along."""
    if _PROGRESS[result.status] <= _PROGRESS[transaction.status]:
        return  # old or repeated news
    transaction.status = result.status
    transaction.reference = result.reference or transaction.reference
    transaction.failure_code = result.failure_code
    transaction.failure_message = result.failure_message
    transaction.client_secret = result.client_secret
    session.add(transaction)
    if result.status == "succeeded" and transaction.kind == "payment":
        order.amount_paid += transaction.amount  # money in, whatever the order became
    target = {
        "succeeded": "paid",
        "requires_action": "requires_action",
        "processing": "processing",
        "failed": "failed",
    }[result.status]
    if not status.can_move("payment", order.payment_status, target):
        return  # e.g. a late failure of an attempt after another attempt paid
    status.move(session, order, "payment", target, actor=actor, note=result.failure_message or "")
    if target == "paid" and order.status == "cancelled":
        await record_event(
            session,
            PaidAfterCancellation(
                aggregate_id=str(order.id),
                order_number=order.number,
                transaction_id=str(transaction.id),
            ),
        )
        return
    if target == "paid":
        if order.status == "pending_payment":
            status.move(session, order, "order", "paid", actor=actor)
            order.expires_at = None
        await record_event(session, OrderPaid.of(order, transaction.amount))


async def apply_gateway_event(event: GatewayEvent, *, gateway: str) -> bool:
    """A verified provider notification, processed once per event id; False for a
    repeat. An unknown payment reference is recorded and otherwise ignored."""
    async with session_scope() as session:
        inserted = (
            await session.exec(
                insert(WebhookEvent)
                .values(
                    id=event.id,
                    gateway=gateway,
                    event_type=event.type,
                    occurred_at=event.occurred_at,
                )
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(col(WebhookEvent.id))
            )
        ).first()
        if inserted is None:
            return False
        transaction = await lock_payment_by_reference_for_update(session, gateway, event.reference)
        if transaction is None:
            return True
        order = await lock_order_for_update(session, transaction.order_id)
        await _apply_locked(
            session,
            order,
            transaction,
            GatewayResult(event.status, event.reference, failure_message=event.failure_message),
            actor=gateway,
        )
    return True
