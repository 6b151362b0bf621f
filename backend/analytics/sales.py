"""Sales figures from the orders table.

Revenue is what the shop keeps: the total of every paid order (paid, partly or fully
refunded) minus what was refunded, counted on the day the order was placed (UTC).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Text, cast, func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.models import Product
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.money import quantize
from backend.orders.models import Order, OrderLine, OrderPromotion
from backend.settings import get_settings

PAID = ("paid", "partially_refunded", "refunded")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SalesSummary:
    currency: str
    revenue_today: Decimal
    orders_today: int
    revenue_month: Decimal
    orders_month: int

    @property
    def average_order_value_month(self) -> Decimal:
        if not self.orders_month:
            return ZERO
        return quantize(self.revenue_month / self.orders_month)


@dataclass(frozen=True)
class DailyRevenue:
    day: date
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class LowStockItem:
    name: str
    sku: str
    stock: int
    threshold: int


def _earned() -> ColumnElement[Decimal]:
    """What an order earned: its total, less refunds and the gift cards it sold. A gift
    card sold is money owed in goods, not revenue: the goods count when an order spends
    the card. Refunds are taken from the goods first (gift cards cannot be returned)."""
    gift_cards_sold = (
        select(func.coalesce(func.sum(OrderLine.line_total), 0))
        .where(col(OrderLine.order_id) == col(Order.id), col(OrderLine.gift_card).is_not(None))
        .scalar_subquery()
    )
    return func.greatest(col(Order.total) - col(Order.refunded_amount) - gift_cards_sold, 0)


def _kept() -> ColumnElement[Decimal]:
    return func.coalesce(func.sum(_earned()), 0)


async def sales_summary(now: datetime | None = None) -> SalesSummary:
    now = now or utcnow()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    paid = col(Order.payment_status).in_(PAID)
    async with session_scope() as session:
        revenue_today, orders_today, revenue_month, orders_month = (
            await session.exec(
                select(
                    func.coalesce(func.sum(_earned()).filter(col(Order.created_at) >= today), 0),
                    func.count().filter(col(Order.created_at) >= today),
                    _kept(),
                    func.count(),
                ).where(paid, col(Order.created_at) >= month)
            )
        ).one()
    return SalesSummary(
        currency=get_settings().shop_currency,
        revenue_today=quantize(Decimal(revenue_today)),
        orders_today=orders_today,
        revenue_month=quantize(Decimal(revenue_month)),
        orders_month=orders_month,
    )


async def revenue_per_day(days: int = 30, now: datetime | None = None) -> list[DailyRevenue]:
    """One entry per day of the last `days` days (days without sales included, as 0)."""
    now = now or utcnow()
    first = (now - timedelta(days=days - 1)).date()
    day = cast(Order.created_at, Date)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(day, _kept(), func.count())
                .where(col(Order.payment_status).in_(PAID), col(Order.created_at) >= first)
                .group_by(day)
            )
        ).all()
    found = {row[0]: (Decimal(row[1]), row[2]) for row in rows}
    return [
        DailyRevenue(first + timedelta(days=n), *found.get(first + timedelta(days=n), (ZERO, 0)))
        for n in range(days)
    ]


async def orders_by_status() -> dict[str, int]:
    async with session_scope() as session:
        rows = (
            await session.exec(select(Order.status, func.count()).group_by(col(Order.status)))
        ).all()
    return dict(rows)


async def low_stock(limit: int = 10) -> list[LowStockItem]:
    """Active products at or below their low-stock threshold, emptiest first."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(
                    Product.name, Product.sku, Product.stock_quantity, Product.low_stock_threshold
                )
                .where(
                    col(Product.is_active),
                    col(Product.stock_quantity) <= col(Product.low_stock_threshold),
                )
                .order_by(col(Product.stock_quantity), col(Product.name))
                .limit(limit)
            )
        ).all()
    return [LowStockItem(*row) for row in rows]


async def orders_fingerprint() -> tuple[int, str]:
    """Changes whenever an order is placed or changes state: a cheap check for live pages."""
    async with session_scope() as session:
        count, latest = (
            await session.exec(select(func.count(), func.max(Order.updated_at)).select_from(Order))
        ).one()
    return count, str(latest)


@dataclass(frozen=True)
class RangeSales:
    revenue: Decimal
    orders: int

    @property
    def average_order_value(self) -> Decimal:
        return quantize(self.revenue / self.orders) if self.orders else ZERO


@dataclass(frozen=True)
class TopProduct:
    name: str
    sku: str
    quantity: int
    revenue: Decimal


def _in_range(first: date, last: date) -> list[ColumnElement[bool]]:
    start = datetime.combine(min(first, last), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(max(first, last) + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return [
        col(Order.payment_status).in_(PAID),
        col(Order.created_at) >= start,
        col(Order.created_at) < end,
    ]


async def sales_between(first: date, last: date) -> RangeSales:
    async with session_scope() as session:
        revenue, orders = (
            await session.exec(select(_kept(), func.count()).where(*_in_range(first, last)))
        ).one()
    return RangeSales(quantize(Decimal(revenue)), orders)


async def top_products(first: date, last: date, limit: int = 10) -> list[TopProduct]:
    """Best-selling products by revenue, all their variants together (line totals of paid
    orders; refunds are not split per line). `sku` is the one SKU sold, or "N variants"."""
    skus = func.count(func.distinct(OrderLine.sku))
    async with session_scope() as session:
        rows: Sequence[Any] = (
            await session.exec(
                SQLModelSelect(
                    col(OrderLine.name),
                    func.min(OrderLine.sku),
                    skus,
                    func.sum(OrderLine.quantity),
                    func.sum(OrderLine.line_total),
                )
                .join(Order, col(Order.id) == col(OrderLine.order_id))
                .where(*_in_range(first, last))
                # A deleted product's lines (product id gone) are told apart by their name.
                .group_by(col(OrderLine.product_id), col(OrderLine.name))
                .order_by(func.sum(OrderLine.line_total).desc(), func.min(OrderLine.sku))
                .limit(limit)
            )
        ).all()
    return [
        TopProduct(name, sku if count == 1 else f"{count} variants", int(qty), Decimal(total))
        for name, sku, count, qty, total in rows
    ]


async def top_variants(first: date, last: date, limit: int = 10) -> list[TopProduct]:
    """Best-selling variants by revenue: each SKU apart, named "Jacket (M / Navy)"."""
    async with session_scope() as session:
        rows: Sequence[Any] = (
            await session.exec(
                SQLModelSelect(
                    col(OrderLine.name),
                    col(OrderLine.sku),
                    # One SKU's lines share their options; text has an aggregate, JSONB not.
                    func.max(cast(OrderLine.options, Text)),
                    func.sum(OrderLine.quantity),
                    func.sum(OrderLine.line_total),
                )
                .join(Order, col(Order.id) == col(OrderLine.order_id))
                .where(*_in_range(first, last))
                .group_by(col(OrderLine.sku), col(OrderLine.name))
                .order_by(func.sum(OrderLine.line_total).desc(), col(OrderLine.sku))
                .limit(limit)
            )
        ).all()
    return [
        TopProduct(_variant_name(name, options), sku, int(qty), Decimal(total))
        for name, sku, options, qty, total in rows
    ]


def _variant_name(name: str, options_json: str | None) -> str:
    values = [option["value"] for option in json.loads(options_json or "[]")]
    return f"{name} ({' / '.join(values)})" if values else name


@dataclass(frozen=True)
class PromotionResult:
    """What an automatic promotion did in a date range, over paid orders."""

    title: str  # as the latest order names it
    applies_to: str  # items, multibuy, order or shipping
    orders: int
    revenue: Decimal  # the totals of the orders that got it
    discount: Decimal  # what it took off them


async def promotion_results(first: date, last: date, limit: int = 10) -> list[PromotionResult]:
    """Promotions of every kind by what the orders that got them brought in (refunds are
    not split per promotion, as for best sellers)."""
    async with session_scope() as session:
        rows: Sequence[Any] = (
            await session.exec(
                SQLModelSelect(
                    func.max(OrderPromotion.title),
                    func.max(OrderPromotion.applies_to),
                    func.count(func.distinct(OrderPromotion.order_id)),
                    func.sum(Order.total),
                    func.sum(OrderPromotion.amount),
                )
                .join(Order, col(Order.id) == col(OrderPromotion.order_id))
                .where(*_in_range(first, last))
                .group_by(col(OrderPromotion.promotion_id))
                .order_by(func.sum(Order.total).desc(), func.max(OrderPromotion.title))
                .limit(limit)
            )
        ).all()
    return [
        PromotionResult(title, applies_to, orders, Decimal(revenue), Decimal(discount))
        for title, applies_to, orders, revenue, discount in rows
    ]
