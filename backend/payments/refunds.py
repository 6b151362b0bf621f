"""Refunding a paid order, in full or in part, and the system's refund of a payment that
succeeded after its order was cancelled. Like a payment, a refund is written down with its
idempotency key before the provider is called (see `services.py`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.money import format_money, to_minor_units
from backend.events.outbox import record_event
from backend.giftcards import redemption
from backend.observability import metrics
from backend.orders import status
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.payments.errors import PaymentRefusedError
from backend.payments.events import PaymentRefunded
from backend.payments.gateway import GatewayResult, get_gateway
from backend.payments.keys import MAX_ATTEMPT_KEY_LENGTH, stored_key_part
from backend.payments.locks import (
    lock_transaction_for_update,
)
from backend.payments.manual import MANUAL_GATEWAY
from backend.payments.models import PaymentTransaction

# How far each transaction status is along: a status never goes back. A failed attempt
# can still succeed (the shopper retries within the same PaymentIntent); a success is final.
_PROGRESS = {"pending": 0, "requires_action": 1, "processing": 2, "failed": 3, "succeeded": 4}
_PAYABLE = ("unpaid", "failed", "requires_action")


async def refund_order(
    order_id: uuid.UUID,
    *,
    amount: Decimal | None,
    request_key: str,
    actor: str,
    by: Viewer | None = None,
    reason: str = "",
) -> Decimal:
    """Refund `amount` (None: all that is left) of a paid order: to the gift cards that
    paid for it first (at once), the rest through the gateway. The same `request_key`
    again does not refund twice. Returns the amount refunded.
    `by`: the staff member asking (checked, and written to the audit log); None for the
    system's own refunds. `reason` (e.g. "Return RT-…") goes on the timeline and into
    the shopper's refund e-mail."""
    if by is not None:
        require_permission(by, Permission.ORDERS_REFUND, "refund orders")
    get_gateway()  # fails closed before anything is written when payments are not set up
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        paid = (
            await session.exec(
                select(PaymentTransaction).where(
                    PaymentTransaction.order_id == order.id,
                    PaymentTransaction.kind == "payment",
                    PaymentTransaction.status == "succeeded",
                )
            )
        ).first()
        key = f"refund:{order.id}:{stored_key_part(request_key.strip()[:MAX_ATTEMPT_KEY_LENGTH])}"
        existing = (
            await session.exec(
                select(PaymentTransaction).where(PaymentTransaction.idempotency_key == key)
            )
        ).first()
        # What this request gave back to gift cards already (a retry finds it).
        on_cards = await redemption.refunded_under(session, order.id, key)
        if existing is None:
            if on_cards:
                return on_cards  # this request went wholly back to gift cards before
            amount = await _checked_amount(session, order, paid, amount)
            # Gift cards get theirs back first, at once; the card payment the rest.
            on_cards = await redemption.refund_to_cards(
                session, order.id, amount, reference=key, actor=actor, note=reason
            )
            if on_cards:
                await _record_refund(
                    session, order, on_cards, order.currency, actor=actor, reason=reason
                )
                _audit(session, by, order, on_cards, to="gift cards")
            if on_cards == amount:
                metrics.REFUNDS.labels("succeeded").inc()
                return amount
            if paid is None or paid.reference is None:
                raise PaymentRefusedError(f"Order {order.number} has no payment to refund.")
            existing = PaymentTransaction(
                order_id=order.id,
                gateway=paid.gateway,
                kind="refund",
                status="pending",
                amount=amount - on_cards,
                currency=order.currency,
                idempotency_key=key,
                parent_id=paid.id,
            )
            session.add(existing)
            await session.flush()
        elif existing.status == "succeeded":
            return existing.amount + on_cards
        transaction_id, reference = existing.id, paid.reference if paid else None
        amount, currency = existing.amount, existing.currency
        by_hand = existing.gateway == MANUAL_GATEWAY
    result = await _refund_at_provider(
        by_hand=by_hand, reference=reference, amount=amount, currency=currency, key=key
    )
    async with session_scope() as session:
        transaction = await lock_transaction_for_update(session, transaction_id)
        order = await lock_order_for_update(session, order_id)
        if transaction is None or transaction.status == "succeeded":
            return amount + on_cards
        transaction.status = (
            result.status if result.status in ("succeeded", "failed") else "pending"
        )
        transaction.reference = result.reference
        transaction.failure_code = result.failure_code
        transaction.failure_message = result.failure_message
        session.add(transaction)
        if result.status != "succeeded":
            failure = result.failure_message or "The refund failed."
        else:
            failure = None
            await _record_refund(session, order, amount, currency, actor=actor, reason=reason)
            _audit(session, by, order, amount, to="card")
    metrics.REFUNDS.labels("failed" if failure is not None else "succeeded").inc()
    if failure is not None:
        raise PaymentRefusedError(failure)  # after the commit: the failure stays recorded
    return amount + on_cards


async def _refund_at_provider(
    *, by_hand: bool, reference: str | None, amount: Decimal, currency: str, key: str
) -> GatewayResult:
    if by_hand:
        # Paid by transfer or in cash: staff give the money back the same way; the refund
        # records that they did.
        return GatewayResult("succeeded", MANUAL_GATEWAY)
    return await get_gateway().refund(
        str(reference),
        amount_minor=to_minor_units(amount, currency),
        currency=currency,
        idempotency_key=key,
    )


async def _checked_amount(
    session: AsyncSession, order: Order, paid: PaymentTransaction | None, amount: Decimal | None
) -> Decimal:
    """The amount to refund (None: all that is left); raises when it is more than that."""
    refundable = await _refundable(session, order.id, paid)
    if paid is None and refundable <= 0:
        raise PaymentRefusedError(f"Order {order.number} has no payment to refund.")
    left = min(order.total - order.refunded_amount, refundable)
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise InvalidInputError(
            "Refund between 0.01 and what is left to refund.",
            {"amount": f"At most {format_money(left, order.currency)}."},
        )
    return amount


async def _refundable(
    session: AsyncSession, order_id: uuid.UUID, paid: PaymentTransaction | None
) -> Decimal:
    """What can still go back: gift cards' parts not yet back, and the card payment less
    its refunds (a refund in progress counts as made)."""
    on_cards = sum((await redemption.outstanding_by_card(session, order_id)).values(), Decimal(0))
    if paid is None:
        return on_cards
    refunded = (
        await session.exec(
            select(func.coalesce(func.sum(PaymentTransaction.amount), 0)).where(
                PaymentTransaction.parent_id == paid.id,
                PaymentTransaction.kind == "refund",
                col(PaymentTransaction.status).in_(("pending", "succeeded")),
            )
        )
    ).one()
    return on_cards + paid.amount - Decimal(refunded)


def _audit(
    session: AsyncSession, by: Viewer | None, order: Order, amount: Decimal, *, to: str
) -> None:
    """The staff member's refund, once it is done (the system's own are not audited)."""
    if by is None:
        return
    audit.record(
        session,
        actor=by,
        action="order.refunded",
        entity_type="order",
        entity_id=order.number,
        after={
            "payment_status": order.payment_status,
            "refunded": order.refunded_amount,
            "amount": amount,
            "to": to,
        },
    )


async def _record_refund(
    session: AsyncSession,
    order: Order,
    amount: Decimal,
    currency: str,
    *,
    actor: str,
    reason: str = "",
) -> None:
    order.refunded_amount += amount
    full = order.refunded_amount >= order.total
    status.move(
        session,
        order,
        "payment",
        "refunded" if full else "partially_refunded",
        actor=actor,
        note=f"Refunded {format_money(amount, currency)}" + (f" ({reason})" if reason else ""),
    )
    await record_event(
        session,
        PaymentRefunded(
            aggregate_id=str(order.id),
            order_number=order.number,
            email=order.email,
            customer_name=order.customer_name,
            amount=amount,
            currency=currency,
            full_refund=full,
            reason=reason,
        ),
    )


async def refund_payment_after_cancellation(order_id: uuid.UUID, transaction_id: str) -> None:
    """Give back a payment that arrived for a cancelled order (idempotent: one refund
    request per payment)."""
    await refund_order(
        order_id, amount=None, request_key=f"after-cancel:{transaction_id}", actor="system"
    )
