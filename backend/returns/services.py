"""Return use cases: a shopper asks, staff approve or reject, receive (and restock),
refund. One transaction per step; each step moves the return through its transition
table (`status.py`), writes the order's timeline and records an event (the shopper's
e-mail) in that same transaction.

Lock order: the order row first, then the return row. Every change to an order's returns
takes the order's lock, so two requests of one order are checked one after the other
against what was delivered.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.accounts.staff import require_admin
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.catalog import cache as catalog_cache
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import format_money, quantize
from backend.events.outbox import record_event
from backend.inventory import services as inventory
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order, OrderLine, OrderStatusChange
from backend.payments import refunds as payment_refunds
from backend.returns import refunds
from backend.returns.errors import ReturnNotAllowedError
from backend.returns.events import (
    ReturnApproved,
    ReturnedItem,
    ReturnReceived,
    ReturnRefunded,
    ReturnRejected,
    ReturnRequested,
)
from backend.returns.locks import lock_return_for_update
from backend.returns.models import (
    MAX_COMMENT_LENGTH,
    MAX_DECISION_NOTE_LENGTH,
    RETURN_REASONS,
    ReturnLine,
    ReturnRequest,
)
from backend.returns.status import OPEN_OR_DONE, ReturnStatus, check_move
from backend.settings import get_settings

_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_REQUEST_KEY_LENGTH = 64
MAX_QUANTITY = 10_000
ORDER_NOT_FOUND = "There is no such order."
RESTOCK_REASON = "returned"  # the stock ledger's reason, as for staff adjustments


def new_return_number() -> str:
    body = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"RT-{body[:4]}-{body[4:]}"


# ---------------------------------------------------------------- reading inside a step


async def delivered_at(session: AsyncSession, order_id: uuid.UUID) -> datetime | None:
    """When the order was marked delivered (its timeline says), else None."""
    return (
        await session.exec(
            select(func.max(OrderStatusChange.created_at)).where(
                OrderStatusChange.order_id == order_id,
                OrderStatusChange.axis == "order",
                OrderStatusChange.to_status == "delivered",
            )
        )
    ).one()


def return_deadline(delivered: datetime) -> datetime:
    return delivered + timedelta(days=get_settings().return_window_days)


async def quantities_in_returns(session: AsyncSession, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Order line id → quantity in this order's returns that were not rejected."""
    rows = (
        await session.exec(
            select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
            .where(
                ReturnRequest.order_id == order_id,
                col(ReturnRequest.status).in_([s.value for s in OPEN_OR_DONE]),
            )
            .group_by(col(ReturnLine.order_line_id))
        )
    ).all()
    return {line_id: int(total) for line_id, total in rows}


async def order_lines(session: AsyncSession, order_id: uuid.UUID) -> list[OrderLine]:
    return list(
        (
            await session.exec(
                select(OrderLine)
                .where(OrderLine.order_id == order_id)
                .order_by(col(OrderLine.position))
            )
        ).all()
    )


@dataclass(frozen=True)
class CoveredLine:
    order_line: OrderLine
    quantity: int


async def covered_lines(session: AsyncSession, return_id: uuid.UUID) -> list[CoveredLine]:
    rows = (
        await session.exec(
            select(OrderLine, ReturnLine.quantity)
            .join(ReturnLine, col(ReturnLine.order_line_id) == col(OrderLine.id))
            .where(ReturnLine.return_id == return_id)
            .order_by(col(OrderLine.position))
        )
    ).all()
    return [CoveredLine(line, quantity) for line, quantity in rows]


def _items(covered: list[CoveredLine]) -> tuple[ReturnedItem, ...]:
    return tuple(ReturnedItem(name=c.order_line.name, quantity=c.quantity) for c in covered)


def value_of(order: Order, covered: list[CoveredLine]) -> Decimal:
    """The returned goods' paid value (`refunds.returned_goods_value`)."""
    goods = sum((c.order_line.unit_price * c.quantity for c in covered), Decimal(0))
    return refunds.returned_goods_value(
        goods=goods,
        subtotal=order.subtotal,
        discount=order.discount,
        shipping=order.shipping,
        tax=order.tax,
    )


def _timeline(
    session: AsyncSession,
    order: Order,
    request: ReturnRequest,
    target: ReturnStatus,
    *,
    actor: str,
    note: str,
) -> None:
    session.add(
        OrderStatusChange(
            order_id=order.id,
            axis="return",
            from_status=request.status if target != ReturnStatus.REQUESTED else None,
            to_status=target.value,
            note=f"{request.number}: {note}" if note else request.number,
            actor=actor,
        )
    )


def _describe(items: tuple[ReturnedItem, ...]) -> str:
    return ", ".join(f"{item.quantity} × {item.name}" for item in items)


def _common(
    order: Order, request: ReturnRequest, items: tuple[ReturnedItem, ...]
) -> dict[str, Any]:
    return {
        "aggregate_id": str(order.id),
        "return_number": request.number,
        "order_number": order.number,
        "email": order.email,
        "customer_name": order.customer_name,
        "items": items,
    }


# ---------------------------------------------------------------- the shopper asks


def _check_request_input(
    quantities: Mapping[uuid.UUID, int], reason: str, comment: str, request_key: str
) -> tuple[dict[uuid.UUID, int], str, str]:
    problems: dict[str, str] = {}
    wanted: dict[uuid.UUID, int] = {}
    for line_id, quantity in quantities.items():
        valid = isinstance(quantity, int) and not isinstance(quantity, bool)
        if not valid or not 0 <= quantity <= MAX_QUANTITY:
            problems[f"line-{line_id}"] = "Choose how many to return."
        elif quantity > 0:
            wanted[line_id] = quantity
    if not wanted and not problems:
        problems["lines"] = "Choose at least one item to return."
    if reason not in RETURN_REASONS:
        problems["reason"] = "Choose a reason."
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        problems["comment"] = f"At most {MAX_COMMENT_LENGTH} characters, please."
    if problems:
        raise InvalidInputError("Please correct the return request.", problems)
    key = request_key.strip()
    if not key or len(key) > MAX_REQUEST_KEY_LENGTH:
        raise InvalidInputError("This return form has expired; reload the page.")
    return wanted, reason, comment


async def request_return(
    order_id: uuid.UUID,
    *,
    viewer: Viewer | None,
    quantities: Mapping[uuid.UUID, int],
    reason: str,
    comment: str = "",
    request_key: str,
) -> str:
    """The signed-in owner of a delivered order asks to return `quantities` (order line id
    → how many) within the return window. Returns the request's number; the same
    `request_key` again returns the first request's number (a double submit)."""
    if viewer is None:
        raise NotFoundError(ORDER_NOT_FOUND)
    wanted, reason, comment = _check_request_input(quantities, reason, comment, request_key)
    async with session_scope() as session:
        try:
            order = await lock_order_for_update(session, order_id)
        except NotFoundError:
            raise NotFoundError(ORDER_NOT_FOUND) from None
        if order.user_id != viewer.user_id:
            raise NotFoundError(ORDER_NOT_FOUND)  # the same answer as for no order at all
        existing = (
            await session.exec(
                select(ReturnRequest).where(ReturnRequest.request_key == request_key.strip())
            )
        ).first()
        if existing is not None and existing.order_id == order.id:
            return existing.number
        if existing is not None:
            raise InvalidInputError("This return form has expired; reload the page.")
        await _check_returnable(session, order)
        lines = {line.id: line for line in await order_lines(session, order.id)}
        taken = await quantities_in_returns(session, order.id)
        problems: dict[str, str] = {}
        for line_id, quantity in wanted.items():
            line = lines.get(line_id)
            if line is None:
                problems[f"line-{line_id}"] = "This item is not part of the order."
                continue
            left = line.quantity - taken.get(line_id, 0)
            if quantity > left:
                problems[f"line-{line_id}"] = (
                    f"Only {left} of {line.name} can still be returned."
                    if left > 0
                    else f"{line.name} is already being returned."
                )
        if problems:
            raise InvalidInputError("Please correct the return request.", problems)

        request = ReturnRequest(
            number=new_return_number(),
            order_id=order.id,
            requested_by=viewer.user_id,
            request_key=request_key.strip(),
            reason=reason,
            comment=comment,
        )
        session.add(request)
        await session.flush()
        for line_id in sorted(wanted, key=lambda i: lines[i].position):
            session.add(
                ReturnLine(return_id=request.id, order_line_id=line_id, quantity=wanted[line_id])
            )
        items = tuple(
            ReturnedItem(name=lines[i].name, quantity=wanted[i])
            for i in sorted(wanted, key=lambda i: lines[i].position)
        )
        _timeline(
            session,
            order,
            request,
            ReturnStatus.REQUESTED,
            actor="shopper",
            note=f"{_describe(items)} ({RETURN_REASONS[reason]})",
        )
        await record_event(
            session,
            ReturnRequested(**_common(order, request, items), reason=RETURN_REASONS[reason]),
        )
        return request.number


async def _check_returnable(session: AsyncSession, order: Order) -> None:
    if order.status != "delivered":
        raise ReturnNotAllowedError(
            f"Order {order.number} has not been delivered yet; items can be returned once "
            "they have arrived."
        )
    delivered = await delivered_at(session, order.id)
    if delivered is None or utcnow() > return_deadline(delivered):
        days = get_settings().return_window_days
        raise ReturnNotAllowedError(
            f"The {days}-day return window of order {order.number} has passed."
        )


# ---------------------------------------------------------------- staff decide


def _audit(
    session: AsyncSession, actor: Viewer, request: ReturnRequest, before: str, **after: object
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"return.{request.status}",
        entity_type="return",
        entity_id=request.number,
        before={"status": before},
        after={"status": request.status, **after},
    )


async def approve_return(return_id: uuid.UUID, *, note: str = "", actor: Viewer) -> None:
    """Staff accept the request: the shopper is told to send the items back."""
    require_admin(actor, "approve returns")
    note = note.strip()
    if len(note) > MAX_DECISION_NOTE_LENGTH:
        raise InvalidInputError(
            "Please shorten the note.",
            {"note": f"At most {MAX_DECISION_NOTE_LENGTH} characters."},
        )
    await _decide(return_id, ReturnStatus.APPROVED, ReturnApproved, note=note, actor=actor)


async def reject_return(return_id: uuid.UUID, *, reason: str, actor: Viewer) -> None:
    """Staff refuse the request, saying why; its quantities become returnable again."""
    require_admin(actor, "reject returns")
    reason = reason.strip()
    if not reason or len(reason) > MAX_DECISION_NOTE_LENGTH:
        raise InvalidInputError(
            "Say why the return is rejected.",
            {"reason": f"Give the reason (up to {MAX_DECISION_NOTE_LENGTH} characters)."},
        )
    await _decide(return_id, ReturnStatus.REJECTED, ReturnRejected, note=reason, actor=actor)


async def _decide(
    return_id: uuid.UUID,
    decision: ReturnStatus,
    event: type[ReturnApproved] | type[ReturnRejected],
    *,
    note: str,
    actor: Viewer,
) -> None:
    """Approve or reject: the step, its timeline line, audit entry and event, at once."""
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, decision)
        items = _items(await covered_lines(session, request.id))
        _timeline(session, order, request, decision, actor=actor_label(actor), note=note)
        before, request.status, request.decision_note = request.status, decision.value, note
        session.add(request)
        # The audit names the note as the shopper reads it: a note, or the reason.
        detail = "note" if decision is ReturnStatus.APPROVED else "reason"
        _audit(session, actor, request, before, **{detail: note})
        await record_event(session, event(**_common(order, request, items), note=note))


async def receive_return(return_id: uuid.UUID, *, restock: bool, actor: Viewer) -> None:
    """The parcel is back. With `restock`, its quantities go back on sale through the
    stock ledger (once: the transition happens once)."""
    require_admin(actor, "receive returns")
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, ReturnStatus.RECEIVED)
        covered = await covered_lines(session, request.id)
        if restock:
            back: dict[uuid.UUID, int] = {}
            for c in covered:
                if c.order_line.product_id is not None:  # products deleted since are skipped
                    pid = c.order_line.product_id
                    back[pid] = back.get(pid, 0) + c.quantity
            await inventory.release(session, back, order_id=order.id, reason=RESTOCK_REASON)
        items = _items(covered)
        _timeline(
            session,
            order,
            request,
            ReturnStatus.RECEIVED,
            actor=actor_label(actor),
            note="items back in stock" if restock else "items not restocked",
        )
        before, request.status, request.restocked = request.status, "received", bool(restock)
        session.add(request)
        _audit(session, actor, request, before, restocked=bool(restock))
        await record_event(
            session, ReturnReceived(**_common(order, request, items), restocked=bool(restock))
        )
    if restock:
        await catalog_cache.invalidate_after_commit()  # pages show stock


async def refund_return(return_id: uuid.UUID, *, amount: Decimal | None, actor: Viewer) -> Decimal:
    """Refund a received return through the gateway: `amount` (None: the returned goods'
    value, `refunds.py`), never more than the order has left to refund. Safe to repeat:
    the gateway call carries one key per return, so a retry after a failure or a crash
    refunds once (the amount first asked). Returns the amount refunded."""
    require_admin(actor, "refund returns")
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, ReturnStatus.REFUNDED)
        refundable = order.total - order.refunded_amount
        offered = refunds.default_refund(
            value_of(order, await covered_lines(session, request.id)), refundable
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
        items = _items(await covered_lines(session, request.id))
        _timeline(
            session,
            order,
            request,
            ReturnStatus.REFUNDED,
            actor=actor_label(actor),
            note=f"refunded {format_money(refunded, order.currency)}",
        )
        before, request.status, request.refund_amount = request.status, "refunded", refunded
        session.add(request)
        _audit(session, actor, request, before, amount=refunded)
        await record_event(
            session,
            ReturnRefunded(
                **_common(order, request, items), amount=refunded, currency=order.currency
            ),
        )
    return refunded
