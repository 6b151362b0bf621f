"""A shopper asks to return items of a delivered order, within the return window.

Lock order: the order row first, then the return row. Every change to an order's returns
takes the order's lock, so two requests of one order are checked one after the other
against what was delivered.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.catalog import cache as catalog_cache
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.events.outbox import record_event
from backend.inventory.services import OutOfStockError
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.returns.errors import ReturnNotAllowedError
from backend.returns.events import ReturnRequested
from backend.returns.exchanges import by_variant, check_choices, hold_stock
from backend.returns.history import (
    add_timeline_line,
    describe_items,
    event_fields,
    returned_items,
)
from backend.returns.lookups import (
    ORDER_NOT_FOUND,
    covered_lines,
    delivered_at,
    order_lines,
    quantities_in_returns,
    return_deadline,
)
from backend.returns.models import MAX_COMMENT_LENGTH, RETURN_REASONS, ReturnLine, ReturnRequest
from backend.returns.status import ReturnStatus
from backend.shop_settings.values import store_settings

_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_REQUEST_KEY_LENGTH = 64
MAX_QUANTITY = 10_000


def new_return_number() -> str:
    body = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"RT-{body[:4]}-{body[4:]}"


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
    exchanges: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> str:
    """The signed-in owner of a delivered order asks to return `quantities` (order line id
    → how many) within the return window, with `exchanges` (order line id → variant id)
    for the lines to swap rather than refund: their stock is held now
    (`exchanges.py`). Returns the request's number; the same `request_key` again returns
    the first request's number (a double submit)."""
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
        swap_problems, swaps = await check_choices(session, lines, wanted, exchanges or {})
        problems |= {f"exchange-{line_id}": message for line_id, message in swap_problems.items()}
        if problems:
            raise InvalidInputError("Please correct the return request.", problems)
        try:
            await hold_stock(
                session,
                order,
                by_variant([(swaps[i], wanted[i]) for i in sorted(swaps)]),
            )
        except OutOfStockError as error:
            short = [i for i in sorted(swaps) if swaps[i] == error.data.get("variant_id")]
            field = f"exchange-{short[0]}" if short else "lines"
            raise InvalidInputError(
                "Please correct the return request.", {field: error.message}
            ) from None

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
                ReturnLine(
                    return_id=request.id,
                    order_line_id=line_id,
                    quantity=wanted[line_id],
                    exchange_variant_id=swaps.get(line_id),
                )
            )
        await session.flush()
        items = await returned_items(session, await covered_lines(session, request.id))
        add_timeline_line(
            session,
            order,
            request,
            ReturnStatus.REQUESTED,
            actor="shopper",
            note=f"{describe_items(items)} ({RETURN_REASONS[reason]})",
        )
        await record_event(
            session,
            ReturnRequested(**event_fields(order, request, items), reason=RETURN_REASONS[reason]),
        )
        number = request.number
    if swaps:
        await catalog_cache.invalidate_after_commit()  # pages show stock
    return number


async def _check_returnable(session: AsyncSession, order: Order) -> None:
    if order.status != "delivered":
        raise ReturnNotAllowedError(
            f"Order {order.number} has not been delivered yet; items can be returned once "
            "they have arrived."
        )
    delivered = await delivered_at(session, order.id)
    days = (await store_settings()).return_window_days
    if delivered is None or utcnow() > return_deadline(delivered, days):
        raise ReturnNotAllowedError(
            f"The {days}-day return window of order {order.number} has passed."
        )
