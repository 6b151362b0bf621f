"""Reading returns: an order's returns and what is still returnable (for its owner), the
returns of one order for staff, and the staff list of every return."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.variant_queries import variants_in_stock
from backend.core.clock import utcnow
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.pagination import Page, clamp_page
from backend.orders.models import Order
from backend.returns import refunds
from backend.returns.history import returned_items
from backend.returns.lookups import (
    ORDER_NOT_FOUND,
    covered_lines,
    delivered_at,
    order_lines,
    quantities_in_returns,
    refund_due,
    return_deadline,
)
from backend.returns.models import RETURN_REASONS, ReturnLine, ReturnRequest
from backend.returns.schemas import (
    ExchangeChoice,
    OrderReturns,
    ReturnableLine,
    ReturnItem,
    ReturnRecord,
    ReturnRow,
    StaffReturn,
)
from backend.returns.status import RETURN_STATUSES
from backend.shop_settings.values import store_settings

RETURN_NOT_FOUND = "There is no such return."


async def _records(session: AsyncSession, order: Order) -> tuple[ReturnRecord, ...]:
    requests = (
        await session.exec(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order.id)
            .order_by(col(ReturnRequest.created_at), col(ReturnRequest.id))
        )
    ).all()
    refundable = order.amount_paid - order.refunded_amount
    records = []
    for request in requests:
        covered = await covered_lines(session, request.id)
        items = await returned_items(session, covered)
        sent = (
            await session.get(Order, request.exchange_order_id)
            if request.exchange_order_id
            else None
        )
        due = await refund_due(session, order, request, covered)
        records.append(
            ReturnRecord(
                id=request.id,
                number=request.number,
                status=request.status,
                created_at=request.created_at,
                updated_at=request.updated_at,
                items=tuple(ReturnItem(i.name, i.quantity, i.exchange_for) for i in items),
                reason=RETURN_REASONS.get(request.reason, request.reason),
                comment=request.comment,
                decision_note=request.decision_note,
                restocked=request.restocked,
                refund_amount=request.refund_amount,
                suggested_refund=refunds.default_refund(due, refundable),
                exchange_order_number=sent.number if sent else "",
                exchange_order_status=sent.status if sent else "",
                exchange_to_pay=sent.amount_due if sent else Decimal("0.00"),
            )
        )
    return tuple(records)


async def _order_returns(session: AsyncSession, order: Order) -> OrderReturns:
    lines = await order_lines(session, order.id)
    taken = await quantities_in_returns(session, order.id)
    siblings = await variants_in_stock(
        list({line.product_id for line in lines if line.product_id}), session=session
    )
    returnable = tuple(
        ReturnableLine(
            line.id,
            line.display_name,
            line.quantity,
            line.quantity - taken.get(line.id, 0),
            tuple(
                ExchangeChoice(other.id, other.title, other.price)
                for other in (siblings.get(line.product_id, []) if line.product_id else [])
                if other.id != line.variant_id
            ),
        )
        for line in lines
    )
    delivered = await delivered_at(session, order.id)
    days = (await store_settings()).return_window_days
    deadline = return_deadline(delivered, days) if delivered is not None else None
    if order.status != "delivered" or deadline is None:
        refusal = "Items can be returned once the order has been delivered."
    elif utcnow() > deadline:
        refusal = f"The {days}-day return window of this order has passed."
    elif not any(line.returnable > 0 for line in returnable):
        refusal = "Every item of this order is already in a return."
    else:
        refusal = ""
    return OrderReturns(
        order_id=order.id,
        order_number=order.number,
        currency=order.currency,
        returns=await _records(session, order),
        lines=returnable,
        refusal=refusal,
        deadline=deadline,
        refundable=order.amount_paid - order.refunded_amount,
    )


async def returns_for_shopper(order_number: str, *, viewer: Viewer | None) -> OrderReturns:
    """The returns of an order and what may still be returned, for its signed-in owner
    only (anyone else: NotFoundError, as if there were no such order)."""
    async with read_scope() as session:
        order = (await session.exec(select(Order).where(Order.number == order_number[:20]))).first()
        if order is None or viewer is None or order.user_id != viewer.user_id:
            raise NotFoundError(ORDER_NOT_FOUND)
        return await _order_returns(session, order)


async def returns_for_staff(order_number: str, *, actor: Viewer) -> OrderReturns:
    require_permission(actor, Permission.ORDERS_VIEW, "see returns")
    async with read_scope() as session:
        order = (await session.exec(select(Order).where(Order.number == order_number[:20]))).first()
        if order is None:
            raise NotFoundError(ORDER_NOT_FOUND)
        return await _order_returns(session, order)


async def return_for_staff(return_id: uuid.UUID, *, actor: Viewer) -> StaffReturn:
    """One return (staff), with its order's lines as `returns_for_staff` reads them."""
    require_permission(actor, Permission.ORDERS_VIEW, "see returns")
    async with read_scope() as session:
        order = (
            await session.exec(
                select(Order)
                .join(ReturnRequest, col(ReturnRequest.order_id) == col(Order.id))
                .where(ReturnRequest.id == return_id)
            )
        ).first()
        if order is None:
            raise NotFoundError(RETURN_NOT_FOUND)
        found = await _order_returns(session, order)
    record = next(r for r in found.returns if r.id == return_id)
    return StaffReturn(record=record, order=found)


async def list_returns(
    actor: Viewer, *, status: str | None = None, page: int = 1, limit: int = 25
) -> Page[ReturnRow]:
    """Every return (staff), newest first, optionally of one status."""
    require_permission(actor, Permission.ORDERS_VIEW, "see returns")
    page, limit = clamp_page(page, limit)
    conditions = [col(ReturnRequest.status) == status] if status in RETURN_STATUSES else []
    counts = (
        select(ReturnLine.return_id, func.sum(ReturnLine.quantity).label("item_count"))
        .group_by(col(ReturnLine.return_id))
        .subquery()
    )
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(  # type: ignore[call-overload]  # more columns than sqlmodel's overloads
                    ReturnRequest.id,
                    ReturnRequest.number,
                    Order.number,
                    Order.customer_name,
                    Order.email,
                    ReturnRequest.status,
                    ReturnRequest.created_at,
                    counts.c.item_count,
                    ReturnRequest.reason,
                    ReturnRequest.refund_amount,
                    Order.currency,
                )
                .join(Order, col(Order.id) == col(ReturnRequest.order_id))
                .join(counts, counts.c.return_id == ReturnRequest.id)
                .where(*conditions)
                .order_by(col(ReturnRequest.created_at).desc(), col(ReturnRequest.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(ReturnRequest).where(*conditions))
        ).one()
    items = [
        ReturnRow(
            id=row[0],
            number=row[1],
            order_number=row[2],
            customer_name=row[3],
            email=row[4],
            status=row[5],
            created_at=row[6],
            item_count=int(row[7]),
            reason=RETURN_REASONS.get(row[8], row[8]),
            refund_amount=row[9],
            currency=row[10],
        )
        for row in rows
    ]
    return Page(items=items, total=total, page=page, limit=limit)
