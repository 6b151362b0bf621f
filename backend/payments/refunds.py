"""Refunding a paid order, in full or in part, and the system's refund of a payment that
succeeded after its order was cancelled. Like a payment, a refund is written down with its
idempotency key before the provider is called (see `services.py`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha256

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
from backend.payments.keys import (
    MAX_ATTEMPT_KEY_LENGTH,
    STORED_KEY_PART_LENGTH,
    stored_key_part,
)
from backend.payments.locks import (
    lock_transaction_for_update,
)
from backend.payments.manual import MANUAL_GATEWAY
from backend.payments.models import PaymentTransaction

# How far each transaction status is along: a status never goes back. A failed attempt
# can still succeed (the shopper retries within the same PaymentIntent); a success is final.
_PROGRESS = {"pending": 0, "requires_action": 1, "processing": 2, "failed": 3, "succeeded": 4}


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
    return await _refund(
        order_id, amount, request_key=request_key, actor=actor, by=by, reason=reason
    )


async def give_back_edit_difference(
    order_id: uuid.UUID, *, request_key: str, actor: str, by: Viewer | None, reason: str
) -> Decimal:
    """Give back what an edit took off a paid order (`Order.amount_to_give_back`), the
    same way as a refund: gift cards first, then the payments. Unlike a refund it lowers
    the money kept for the order (`amount_paid`) rather than adding to what was refunded:
    the order as it now stands is still paid in full. Safe to repeat with the same key."""
    if by is not None:
        require_permission(by, Permission.ORDERS_EDIT, "edit orders")
    return await _refund(
        order_id,
        None,
        request_key=request_key,
        actor=actor,
        by=by,
        reason=reason,
        lowers_total=True,
    )


@dataclass(frozen=True)
class _Pending:
    """A refund transaction still to be made at the provider."""

    transaction_id: uuid.UUID
    key: str
    amount: Decimal
    currency: str
    reference: str | None  # the payment's, at the provider
    by_hand: bool


async def _refund(
    order_id: uuid.UUID,
    amount: Decimal | None,
    *,
    request_key: str,
    actor: str,
    by: Viewer | None,
    reason: str,
    lowers_total: bool = False,
) -> Decimal:
    get_gateway()  # fails closed before anything is written when payments are not set up
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        payments = await _payments_newest_first(session, order.id)
        key = f"refund:{order.id}:{stored_key_part(request_key.strip()[:MAX_ATTEMPT_KEY_LENGTH])}"
        mine = await _transactions_of_request(session, key)
        # What this request gave back to gift cards already (a retry finds it).
        on_cards = await redemption.refunded_under(session, order.id, key)
        if not mine:
            if on_cards:
                return on_cards  # this request went wholly back to gift cards before
            amount = await _checked_amount(session, order, payments, amount, lowers_total)
            # Gift cards get theirs back first, at once; the payments the rest.
            on_cards = await redemption.refund_to_cards(
                session, order.id, amount, reference=key, actor=actor, note=reason
            )
            if on_cards:
                await _record_refund(
                    session, order, on_cards, actor=actor, reason=reason, lowers_total=lowers_total
                )
                _audit(session, by, order, on_cards, to="gift cards", lowers_total=lowers_total)
            if on_cards == amount:
                metrics.REFUNDS.labels("succeeded").inc()
                return amount
            mine = await _write_refunds(session, order, payments, amount - on_cards, key)
        parents = {payment.id: payment for payment in payments}
        done = sum((t.amount for t in mine if t.status == "succeeded"), Decimal("0.00"))
        pending = [
            _Pending(
                t.id,
                t.idempotency_key,
                t.amount,
                t.currency,
                parent.reference if t.parent_id and (parent := parents.get(t.parent_id)) else None,
                t.gateway == MANUAL_GATEWAY,
            )
            for t in mine
            if t.status != "succeeded"
        ]
    failure = None
    for refund in pending:
        result = await _refund_at_provider(refund)
        async with session_scope() as session:
            transaction = await lock_transaction_for_update(session, refund.transaction_id)
            order = await lock_order_for_update(session, order_id)
            if transaction is None or transaction.status == "succeeded":
                done += refund.amount
                continue
            transaction.status = (
                result.status if result.status in ("succeeded", "failed") else "pending"
            )
            transaction.reference = result.reference
            transaction.failure_code = result.failure_code
            transaction.failure_message = result.failure_message
            session.add(transaction)
            if result.status != "succeeded":
                failure = result.failure_message or "The refund failed."
                continue
            done += refund.amount
            await _record_refund(
                session, order, refund.amount, actor=actor, reason=reason, lowers_total=lowers_total
            )
            _audit(session, by, order, refund.amount, to="card", lowers_total=lowers_total)
    metrics.REFUNDS.labels("failed" if failure is not None else "succeeded").inc()
    if failure is not None:
        raise PaymentRefusedError(failure)  # after the commit: the failure stays recorded
    return done + on_cards


async def _payments_newest_first(
    session: AsyncSession, order_id: uuid.UUID
) -> list[PaymentTransaction]:
    """The order's payments that went through: the first, and any an edit added."""
    return list(
        (
            await session.exec(
                select(PaymentTransaction)
                .where(
                    PaymentTransaction.order_id == order_id,
                    PaymentTransaction.kind == "payment",
                    PaymentTransaction.status == "succeeded",
                )
                .order_by(col(PaymentTransaction.created_at).desc())
            )
        ).all()
    )


# At most this many payments back one request (an order has its first payment, and one
# more per edit that raised its total).
MAX_REFUND_PARTS = 20


def _part_key(key: str, part: int) -> str:
    """The idempotency key of a request's refund from its `part`-th payment: the request's
    own key first, then keys no caller's key can equal (a digest, as long keys are)."""
    if part == 1:
        return key
    order_prefix = key[: len(f"refund:{uuid.UUID(int=0)}")]  # "refund:<order id>"
    digest = sha256(f"{key}#{part}".encode()).hexdigest()[:STORED_KEY_PART_LENGTH]
    return f"{order_prefix}:{digest}"


async def _transactions_of_request(session: AsyncSession, key: str) -> list[PaymentTransaction]:
    """The refund transactions one request made, one per payment it drew on."""
    keys = [_part_key(key, part) for part in range(1, MAX_REFUND_PARTS + 1)]
    return list(
        (
            await session.exec(
                select(PaymentTransaction)
                .where(col(PaymentTransaction.idempotency_key).in_(keys))
                .order_by(col(PaymentTransaction.created_at))
            )
        ).all()
    )


async def _write_refunds(
    session: AsyncSession,
    order: Order,
    payments: list[PaymentTransaction],
    amount: Decimal,
    key: str,
) -> list[PaymentTransaction]:
    """Pending refunds of `amount` over the payments, the newest first (what an edit
    added goes back before the first payment is touched)."""
    left = await _left_per_payment(session, payments)
    written: list[PaymentTransaction] = []
    for payment in payments:
        if amount <= 0:
            break
        part = min(left[payment.id], amount)
        if part <= 0 or payment.reference is None:
            continue
        if len(written) == MAX_REFUND_PARTS:
            break
        transaction = PaymentTransaction(
            order_id=order.id,
            gateway=payment.gateway,
            kind="refund",
            status="pending",
            amount=part,
            currency=order.currency,
            idempotency_key=_part_key(key, len(written) + 1),
            parent_id=payment.id,
        )
        session.add(transaction)
        written.append(transaction)
        amount -= part
    if amount > 0:
        raise PaymentRefusedError(f"Order {order.number} has no payment to refund.")
    await session.flush()
    return written


async def _refund_at_provider(refund: _Pending) -> GatewayResult:
    if refund.by_hand:
        # Paid by transfer or in cash: staff give the money back the same way; the refund
        # records that they did.
        return GatewayResult("succeeded", MANUAL_GATEWAY)
    return await get_gateway().refund(
        str(refund.reference),
        amount_minor=to_minor_units(refund.amount, refund.currency),
        currency=refund.currency,
        idempotency_key=refund.key,
    )


async def _checked_amount(
    session: AsyncSession,
    order: Order,
    payments: list[PaymentTransaction],
    amount: Decimal | None,
    lowers_total: bool,
) -> Decimal:
    """The amount to refund (None: all that is left); raises when it is more than that."""
    on_cards = sum((await redemption.outstanding_by_card(session, order.id)).values(), Decimal(0))
    refundable = on_cards + sum((await _left_per_payment(session, payments)).values(), Decimal(0))
    if lowers_total:
        left = min(order.amount_to_give_back, refundable)
        if left <= 0:
            raise PaymentRefusedError(f"Order {order.number} has nothing to give back.")
        return left
    if not payments and refundable <= 0:
        raise PaymentRefusedError(f"Order {order.number} has no payment to refund.")
    left = min(order.amount_paid - order.refunded_amount, refundable)
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise InvalidInputError(
            "Refund between 0.01 and what is left to refund.",
            {"amount": f"At most {format_money(left, order.currency)}."},
        )
    return amount


async def _left_per_payment(
    session: AsyncSession, payments: list[PaymentTransaction]
) -> dict[uuid.UUID, Decimal]:
    """What each payment can still give back: its amount less its refunds (one in
    progress counts as made)."""
    if not payments:
        return {}
    refunded = dict(
        (
            await session.exec(
                select(
                    PaymentTransaction.parent_id,
                    func.coalesce(func.sum(PaymentTransaction.amount), 0),
                )
                .where(
                    col(PaymentTransaction.parent_id).in_([p.id for p in payments]),
                    PaymentTransaction.kind == "refund",
                    col(PaymentTransaction.status).in_(("pending", "succeeded")),
                )
                .group_by(col(PaymentTransaction.parent_id))
            )
        ).all()
    )
    return {p.id: p.amount - Decimal(refunded.get(p.id, 0)) for p in payments}


def _audit(
    session: AsyncSession,
    by: Viewer | None,
    order: Order,
    amount: Decimal,
    *,
    to: str,
    lowers_total: bool,
) -> None:
    """The staff member's refund, once it is done (the system's own are not audited)."""
    if by is None:
        return
    audit.record(
        session,
        actor=by,
        action="order.edit_difference_refunded" if lowers_total else "order.refunded",
        entity_type="order",
        entity_id=order.number,
        after={
            "payment_status": order.payment_status,
            "refunded": order.refunded_amount,
            "amount_paid": order.amount_paid,
            "amount": amount,
            "to": to,
        },
    )


async def _record_refund(
    session: AsyncSession,
    order: Order,
    amount: Decimal,
    *,
    actor: str,
    reason: str = "",
    lowers_total: bool = False,
) -> None:
    note = f"Refunded {format_money(amount, order.currency)}" + (f" ({reason})" if reason else "")
    if lowers_total:
        # The order as it stands stays paid in full: less money is kept for it.
        order.amount_paid -= amount
        session.add(order)
        status.record_step(session, order, "edit", "difference_refunded", actor=actor, note=note)
        full = False
    else:
        order.refunded_amount += amount
        full = order.refunded_amount >= order.amount_paid
        status.move(
            session,
            order,
            "payment",
            "refunded" if full else "partially_refunded",
            actor=actor,
            note=note,
        )
    await record_event(
        session,
        PaymentRefunded(
            aggregate_id=str(order.id),
            order_number=order.number,
            email=order.email,
            customer_name=order.customer_name,
            amount=amount,
            currency=order.currency,
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
