"""What a return step reads in its transaction, and the returns' reads use too: an
order's lines, when it was delivered and the return deadline, the quantities already in
returns, the lines a return covers and their paid value."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.money import quantize
from backend.orders.models import Order, OrderLine, OrderStatusChange
from backend.returns import refunds
from backend.returns.models import ReturnLine, ReturnRequest
from backend.returns.schemas import CoveredLine
from backend.returns.status import OPEN_OR_DONE

ORDER_NOT_FOUND = "There is no such order."


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


def return_deadline(delivered: datetime, window_days: int) -> datetime:
    return delivered + timedelta(days=window_days)


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
    """The order's returnable lines: its goods. A gift card sold is not sent back (it is
    money; staff switch the card off or adjust it)."""
    return list(
        (
            await session.exec(
                select(OrderLine)
                .where(OrderLine.order_id == order_id, col(OrderLine.gift_card).is_(None))
                .order_by(col(OrderLine.position))
            )
        ).all()
    )


async def covered_lines(session: AsyncSession, return_id: uuid.UUID) -> list[CoveredLine]:
    rows = (
        await session.exec(
            select(OrderLine, ReturnLine.quantity, ReturnLine.exchange_variant_id)
            .join(ReturnLine, col(ReturnLine.order_line_id) == col(OrderLine.id))
            .where(ReturnLine.return_id == return_id)
            .order_by(col(OrderLine.position))
        )
    ).all()
    return [CoveredLine(line, quantity, wanted) for line, quantity, wanted in rows]


def goods_of(covered: list[CoveredLine]) -> Decimal:
    """The covered goods at the order's line prices, after what a multi-buy took off them
    (before the order's other discounts)."""
    return sum(
        (
            c.order_line.unit_price * c.quantity
            - c.order_line.multibuy_discount * c.quantity / c.order_line.quantity
            for c in covered
        ),
        Decimal(0),
    )


def value_of(order: Order, covered: list[CoveredLine]) -> Decimal:
    """The returned goods' paid value (`refunds.returned_goods_value`). What a multi-buy
    took off a line stays with that line: the goods are valued after it, and the order's
    other discounts are shared over what the goods cost after multi-buys."""
    return refunds.returned_goods_value(
        goods=goods_of(covered),
        subtotal=order.subtotal - order.multibuy_discount,
        discount=order.discount - order.multibuy_discount,
        shipping=order.shipping,
        tax=order.tax,
        prices_include_tax=order.prices_include_tax,
    )


async def refund_due(
    session: AsyncSession, order: Order, request: ReturnRequest, covered: list[CoveredLine]
) -> Decimal:
    """What the return gives back (before the cap of what the order has left): the
    refunded lines' value, and the credit of exchanged lines their exchange order did not
    use (all of it once that order is cancelled; none while the exchange awaits a
    decision: the credit is kept for it)."""
    refunded = [c for c in covered if c.exchange_variant_id is None]
    exchanged = [c for c in covered if c.exchange_variant_id is not None]
    due = value_of(order, refunded) if refunded else Decimal("0.00")
    if not exchanged:
        return due
    credit = quantize(goods_of(exchanged))  # as the exchange order took it off
    used = credit
    if request.exchange_order_id is not None:
        sent = await session.get(Order, request.exchange_order_id)
        used = sent.order_promotion_amount if sent and sent.status != "cancelled" else Decimal(0)
    return due + refunds.unused_credit_refund(
        value=value_of(order, exchanged), credit=credit, used=used
    )
