"""Abandoned-cart recovery figures for a date range (UTC days, both ends included).

- reminders sent: reminder e-mails sent in the range;
- carts restored: reminders whose link was first opened in the range;
- recovered orders and revenue: paid orders placed in the range that a reminder recovered
  (the rule is in `backend/cart_recovery/attribution.py`), counted like the shop's
  revenue: total minus refunds, on the day the order was placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from backend.analytics.sales import PAID
from backend.cart_recovery.models import CartReminder
from backend.core.db import session_scope
from backend.core.money import quantize
from backend.orders.models import Order


@dataclass(frozen=True)
class RecoveryFigures:
    reminders_sent: int
    carts_restored: int
    recovered_orders: int
    recovered_revenue: Decimal


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(min(first, last), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(max(first, last) + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return start, end


async def recovery_between(first: date, last: date) -> RecoveryFigures:
    start, end = _bounds(first, last)
    sent_at, restored_at = col(CartReminder.sent_at), col(CartReminder.restored_at)
    async with session_scope() as session:
        sent, restored = (
            await session.exec(
                select(
                    func.count().filter(sent_at >= start, sent_at < end),
                    func.count().filter(restored_at >= start, restored_at < end),
                ).where(
                    (sent_at >= start) & (sent_at < end)
                    | (restored_at >= start) & (restored_at < end)
                )
            )
        ).one()
        orders, revenue = (
            await session.exec(
                select(
                    func.count(),
                    func.coalesce(func.sum(Order.total - Order.refunded_amount), 0),
                )
                .select_from(CartReminder)
                .join(Order, col(Order.id) == col(CartReminder.recovered_order_id))
                .where(
                    col(Order.payment_status).in_(PAID),
                    col(Order.created_at) >= start,
                    col(Order.created_at) < end,
                )
            )
        ).one()
    return RecoveryFigures(
        reminders_sent=int(sent),
        carts_restored=int(restored),
        recovered_orders=int(orders),
        recovered_revenue=quantize(Decimal(revenue)),
    )
