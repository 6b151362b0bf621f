"""Analytics as staff read them (the analytics permission), for the admin's Analytics and
Overview pages and the REST API alike: one place for the date range every range figure
uses, and the most viewed products with their names.

The figures themselves come from `sales`, `cart_recovery` and `backend.funnel.counts`
(which check nobody); these check the permission first.

A date range is inclusive and in UTC days. Missing ends default to the last
`DEFAULT_DAYS` days up to today; reversed ends are swapped; a range longer than
`MAX_RANGE_DAYS` keeps its last day and is cut to that many days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.analytics import cart_recovery, sales
from backend.analytics.cart_recovery import RecoveryFigures
from backend.analytics.sales import (
    DailyRevenue,
    LowStockItem,
    PromotionResult,
    RangeSales,
    SalesSummary,
    TopProduct,
)
from backend.catalog import queries as catalog
from backend.core.clock import utcnow
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStage

DEFAULT_DAYS = 30
MAX_RANGE_DAYS = funnel.MAX_RANGE_DAYS
TOP_LIMIT = 10  # best sellers, promotions, most viewed: what the Analytics page lists
MAX_TOP_LIMIT = 50
LOW_STOCK_LIMIT = 10
MAX_LOW_STOCK_LIMIT = 100
REVENUE_DAYS = 30  # the Overview's chart
MAX_REVENUE_DAYS = MAX_RANGE_DAYS
SEE_ANALYTICS = "see the shop's analytics"


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date


def date_range(first: date | None = None, last: date | None = None) -> DateRange:
    """The range a report covers (see the module docstring)."""
    today = utcnow().date()
    first = first or today - timedelta(days=DEFAULT_DAYS - 1)
    last = last or today
    first, last = min(first, last), max(first, last)
    return DateRange(max(first, last - timedelta(days=MAX_RANGE_DAYS - 1)), last)


@dataclass(frozen=True)
class ViewedProduct:
    product_id: uuid.UUID
    name: str | None  # None: the product was deleted since
    sku: str | None
    views: int


def _allowed(actor: Viewer) -> None:
    require_permission(actor, Permission.ANALYTICS, SEE_ANALYTICS)


def _top(limit: int) -> int:
    return min(max(1, limit), MAX_TOP_LIMIT)


async def range_sales(actor: Viewer, period: DateRange) -> RangeSales:
    """Revenue kept and paid orders placed in the range."""
    _allowed(actor)
    return await sales.sales_between(period.first, period.last)


async def best_sellers(
    actor: Viewer, period: DateRange, limit: int = TOP_LIMIT
) -> list[TopProduct]:
    _allowed(actor)
    return await sales.top_products(period.first, period.last, _top(limit))


async def best_variants(
    actor: Viewer, period: DateRange, limit: int = TOP_LIMIT
) -> list[TopProduct]:
    _allowed(actor)
    return await sales.top_variants(period.first, period.last, _top(limit))


async def promotion_results(
    actor: Viewer, period: DateRange, limit: int = TOP_LIMIT
) -> list[PromotionResult]:
    _allowed(actor)
    return await sales.promotion_results(period.first, period.last, _top(limit))


async def shopping_funnel(actor: Viewer, period: DateRange) -> list[FunnelStage]:
    _allowed(actor)
    return await funnel.funnel(period.first, period.last)


async def most_viewed(
    actor: Viewer, period: DateRange, limit: int = TOP_LIMIT
) -> list[ViewedProduct]:
    """Products by views in the range, most viewed first, with their names as they are now."""
    _allowed(actor)
    viewed = await funnel.most_viewed(period.first, period.last, _top(limit))
    names = await catalog.get_product_summaries([product_id for product_id, _ in viewed])
    return [
        ViewedProduct(
            product_id,
            names[product_id].name if product_id in names else None,
            names[product_id].sku if product_id in names else None,
            views,
        )
        for product_id, views in viewed
    ]


async def cart_recovery_results(actor: Viewer, period: DateRange) -> RecoveryFigures:
    _allowed(actor)
    return await cart_recovery.recovery_between(period.first, period.last)


async def sales_summary(actor: Viewer) -> SalesSummary:
    """Today and this month so far (UTC)."""
    _allowed(actor)
    return await sales.sales_summary()


async def revenue_per_day(actor: Viewer, days: int = REVENUE_DAYS) -> list[DailyRevenue]:
    """One entry per day of the last `days` days, today last (1 to MAX_REVENUE_DAYS)."""
    _allowed(actor)
    return await sales.revenue_per_day(min(max(1, days), MAX_REVENUE_DAYS))


async def orders_by_status(actor: Viewer) -> dict[str, int]:
    _allowed(actor)
    return await sales.orders_by_status()


async def low_stock(actor: Viewer, limit: int = LOW_STOCK_LIMIT) -> list[LowStockItem]:
    _allowed(actor)
    return await sales.low_stock(min(max(1, limit), MAX_LOW_STOCK_LIMIT))
