"""The parcel is back: staff receive it (restocking its items, or not), then refund it
through the payment gateway; a return whose lines were all exchanged, with no credit
left unused, is done when received (`exchanged`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit.services import actor_label
from backend.catalog import cache as catalog_cache
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.money import format_money, quantize
from backend.events.outbox import record_event
from backend.inventory import services as inventory
from backend.payments import refunds as payment_refunds
from backend.returns import refunds
from backend.returns.events import ReturnReceived, ReturnRefunded
from backend.returns.history import add_timeline_line, audit_step, event_fields, returned_items
from backend.returns.locks import lock_return_for_update
from backend.returns.lookups import covered_lines, refund_due
from backend.returns.status import ReturnStatus, check_move

RESTOCK_REASON = "returned"  # the stock ledger's reason, as for staff adjustments


async def receive_return(return_id: uuid.UUID, *, restock: bool, actor: Viewer) -> None:
    """The parcel is back. With `restock`, its quantities go back on sale through the
    stock ledger (once: the transition happens once)."""
    require_permission(actor, Permission.ORDERS_FULFIL, "receive returns")
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, ReturnStatus.RECEIVED)
        covered = await covered_lines(session, request.id)
        if restock:
            back: dict[uuid.UUID, int] = {}
            for c in covered:
                variant_id = c.order_line.variant_id
                if variant_id is not None:  # variants deleted since are skipped
                    back[variant_id] = back.get(variant_id, 0) + c.quantity
            await inventory.release(session, back, order_id=order.id, reason=RESTOCK_REASON)
        items = await returned_items(session, covered)
        add_timeline_line(
            session,
            order,
            request,
            ReturnStatus.RECEIVED,
            actor=actor_label(actor),
            note="items back in stock" if restock else "items not restocked",
        )
        before, request.status, request.restocked = request.status, "received", bool(restock)
        session.add(request)
        audit_step(session, actor, request, before, restocked=bool(restock))
        await record_event(
            session, ReturnReceived(**event_fields(order, request, items), restocked=bool(restock))
        )
        if request.exchange_order_id is not None and not await refund_due(
            session, order, request, covered
        ):
            # Every line was exchanged and the exchange used all its credit: done.
            add_timeline_line(
                session, order, request, ReturnStatus.EXCHANGED, actor=actor_label(actor), note=""
            )
            request.status = ReturnStatus.EXCHANGED.value
            audit_step(session, actor, request, ReturnStatus.RECEIVED.value)
    if restock:
        await catalog_cache.invalidate_after_commit()  # pages show stock


async def refund_return(return_id: uuid.UUID, *, amount: Decimal | None, actor: Viewer) -> Decimal:
    """Refund a received return through the gateway: `amount` (None: the returned goods'
    value, `refunds.py`), never more than the order has left to refund. Safe to repeat:
    the gateway call carries one key per return, so a retry after a failure or a crash
    refunds once (the amount first asked). Returns the amount refunded."""
    require_permission(actor, Permission.ORDERS_REFUND, "refund returns")
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, ReturnStatus.REFUNDED)
        refundable = order.amount_paid - order.refunded_amount
        covered = await covered_lines(session, request.id)
        offered = refunds.default_refund(
            await refund_due(session, order, request, covered), refundable
        )
        amount = offered if amount is None else amount
        if not amount.is_finite() or amount <= 0 or amount > refundable:
            raise InvalidInputError(
                "Refund between 0.01 and what is left to refund on the order.",
                {"amount": f"At most {format_money(refundable, order.currency)}."},
            )
        if amount != quantize(amount):
            raise InvalidInputError(
                "Refund whole cents.", {"amount": "Use at most two decimals, e.g. 12.50."}
            )
        order_id, number = order.id, request.number
    refunded = await payment_refunds.refund_order(
        order_id,
        amount=amount,
        request_key=f"return:{return_id}",
        actor=actor_label(actor),
        by=actor,
        reason=f"Return {number}",
    )
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        if request.status == ReturnStatus.REFUNDED:
            return refunded  # another attempt finished first
        items = await returned_items(session, await covered_lines(session, request.id))
        add_timeline_line(
            session,
            order,
            request,
            ReturnStatus.REFUNDED,
            actor=actor_label(actor),
            note=f"refunded {format_money(refunded, order.currency)}",
        )
        before, request.status, request.refund_amount = request.status, "refunded", refunded
        session.add(request)
        audit_step(session, actor, request, before, amount=refunded)
        await record_event(
            session,
            ReturnRefunded(
                **event_fields(order, request, items), amount=refunded, currency=order.currency
            ),
        )
    return refunded
