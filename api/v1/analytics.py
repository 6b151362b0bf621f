"""Analytics (the analytics permission), as the admin's Analytics and Overview pages show
them: sales, best sellers, promotions, the shopping funnel, most viewed products and cart
recovery over a date range; today's and this month's sales, revenue per day, orders by
status and low stock. Money is a decimal string in the shop's currency.

A range is `from` and `to`, inclusive UTC days (YYYY-MM-DD). Either may be left out: the
last 30 days up to today. Reversed ends are swapped, and a range longer than 366 days
keeps its last day; every answer says which days it covers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.v1.auth import AnalyticsStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.analytics import reports
from backend.analytics.reports import DateRange
from backend.analytics.sales import TopProduct
from backend.core.money import decimal_string
from backend.settings import get_settings

router = APIRouter(prefix="/admin/analytics", tags=["analytics"], route_class=EdgeRoute)

ERRORS = problem_responses(400, 401, 403)


def _period(
    first: Annotated[
        date | None,
        Query(alias="from", description="The first day (UTC, included). Default: 29 days ago."),
    ] = None,
    last: Annotated[
        date | None, Query(alias="to", description="The last day (UTC, included). Default: today.")
    ] = None,
) -> DateRange:
    return reports.date_range(first, last)


Period = Annotated[DateRange, Depends(_period)]
TopLimit = Annotated[
    int, Query(ge=1, le=reports.MAX_TOP_LIMIT, description="How many, the best first.")
]


class RangeOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="The first day covered (UTC).")
    to: date = Field(description="The last day covered (UTC, included).")

    @staticmethod
    def range_of(period: DateRange) -> dict[str, date]:
        return {"from_": period.first, "to": period.last}


def _currency() -> str:
    return get_settings().shop_currency


class SalesOut(RangeOut):
    currency: str = Field(examples=["USD"])
    revenue: str = Field(description="Paid orders' totals minus refunds.", examples=["1249.50"])
    orders: int = Field(ge=0, description="Paid orders placed in the range.")
    average_order_value: str = Field(examples=["62.48"])


class TopProductOut(BaseModel):
    name: str = Field(examples=["Trail Jacket (M / Navy)"])
    sku: str = Field(description="The SKU sold, or `N variants`.", examples=["JKT-M-NAVY"])
    quantity: int = Field(ge=0)
    revenue: str = Field(description="Line totals of paid orders.", examples=["480.00"])

    @classmethod
    def of(cls, product: TopProduct) -> TopProductOut:
        return cls(
            name=product.name,
            sku=product.sku,
            quantity=product.quantity,
            revenue=decimal_string(product.revenue),
        )


class TopProductsOut(RangeOut):
    currency: str = Field(examples=["USD"])
    items: list[TopProductOut]


class PromotionResultOut(BaseModel):
    title: str = Field(examples=["Summer sale"])
    applies_to: Literal["items", "multibuy", "order", "shipping"]
    orders: int = Field(ge=0, description="Paid orders that got it.")
    revenue: str = Field(description="Those orders' totals.", examples=["820.00"])
    discount: str = Field(description="What it took off them.", examples=["91.10"])


class PromotionResultsOut(RangeOut):
    currency: str = Field(examples=["USD"])
    items: list[PromotionResultOut]


class FunnelStageOut(BaseModel):
    step: Literal["product_view", "add_to_cart", "checkout_started", "paid"]
    label: str = Field(examples=["Viewed a product"])
    visitors: int = Field(ge=0, description="Unique visitors (approximate: HyperLogLog).")
    of_previous: float | None = Field(
        ge=0,
        description="Share of the previous stage's visitors (0–1); null for the first "
        "stage or when the previous had none.",
        examples=[0.25],
    )


class FunnelOut(RangeOut):
    stages: list[FunnelStageOut]


class ViewedProductOut(BaseModel):
    product_id: uuid.UUID
    name: str | None = Field(description="null: the product was deleted since.")
    sku: str | None
    views: int = Field(ge=0)


class MostViewedOut(RangeOut):
    items: list[ViewedProductOut]


class CartRecoveryOut(RangeOut):
    currency: str = Field(examples=["USD"])
    reminders_sent: int = Field(ge=0)
    carts_restored: int = Field(ge=0, description="Reminder links followed.")
    recovered_orders: int = Field(ge=0, description="Paid orders placed after a reminder.")
    recovered_revenue: str = Field(examples=["129.90"])


class SummaryOut(BaseModel):
    currency: str = Field(examples=["USD"])
    revenue_today: str = Field(examples=["310.00"])
    orders_today: int = Field(ge=0)
    revenue_month: str = Field(examples=["5120.40"])
    orders_month: int = Field(ge=0)
    average_order_value_month: str = Field(examples=["64.81"])


class DayRevenueOut(BaseModel):
    day: date
    revenue: str = Field(examples=["310.00"])
    orders: int = Field(ge=0)


class RevenuePerDayOut(BaseModel):
    currency: str = Field(examples=["USD"])
    days: list[DayRevenueOut] = Field(description="One per day, oldest first, today last.")


class StatusCountOut(BaseModel):
    status: str = Field(examples=["paid"])
    orders: int = Field(ge=0)


class LowStockOut(BaseModel):
    name: str
    sku: str
    stock: int
    threshold: int = Field(description="The product's low-stock threshold.")


@router.get(
    "/sales",
    response_model=SalesOut,
    summary="Revenue, paid orders and average order value over a range",
    responses=ERRORS,
)
async def range_sales(viewer: AnalyticsStaff, period: Period) -> SalesOut:
    totals = await reports.range_sales(viewer, period)
    return SalesOut(
        **RangeOut.range_of(period),
        currency=_currency(),
        revenue=decimal_string(totals.revenue),
        orders=totals.orders,
        average_order_value=decimal_string(totals.average_order_value),
    )


@router.get(
    "/top-products",
    response_model=TopProductsOut,
    summary="Best-selling products by revenue over a range (their variants together)",
    responses=ERRORS,
)
async def top_products(
    viewer: AnalyticsStaff, period: Period, limit: TopLimit = reports.TOP_LIMIT
) -> TopProductsOut:
    items = await reports.best_sellers(viewer, period, limit)
    return TopProductsOut(
        **RangeOut.range_of(period),
        currency=_currency(),
        items=[TopProductOut.of(p) for p in items],
    )


@router.get(
    "/top-variants",
    response_model=TopProductsOut,
    summary="Best-selling variants (each SKU apart) by revenue over a range",
    responses=ERRORS,
)
async def top_variants(
    viewer: AnalyticsStaff, period: Period, limit: TopLimit = reports.TOP_LIMIT
) -> TopProductsOut:
    items = await reports.best_variants(viewer, period, limit)
    return TopProductsOut(
        **RangeOut.range_of(period),
        currency=_currency(),
        items=[TopProductOut.of(p) for p in items],
    )


@router.get(
    "/promotions",
    response_model=PromotionResultsOut,
    summary="What the automatic promotions brought in over a range",
    responses=ERRORS,
)
async def promotions(
    viewer: AnalyticsStaff, period: Period, limit: TopLimit = reports.TOP_LIMIT
) -> PromotionResultsOut:
    results = await reports.promotion_results(viewer, period, limit)
    return PromotionResultsOut(
        **RangeOut.range_of(period),
        currency=_currency(),
        items=[
            PromotionResultOut(
                title=p.title,
                applies_to=p.applies_to,
                orders=p.orders,
                revenue=decimal_string(p.revenue),
                discount=decimal_string(p.discount),
            )
            for p in results
        ],
    )


@router.get(
    "/funnel",
    response_model=FunnelOut,
    summary="The shopping funnel over a range: unique visitors at each step",
    responses=ERRORS,
)
async def funnel(viewer: AnalyticsStaff, period: Period) -> FunnelOut:
    stages = await reports.shopping_funnel(viewer, period)
    return FunnelOut(
        **RangeOut.range_of(period),
        stages=[
            FunnelStageOut(
                step=stage.step.value,
                label=stage.label,
                visitors=stage.visitors,
                of_previous=stage.of_previous,
            )
            for stage in stages
        ],
    )


@router.get(
    "/most-viewed",
    response_model=MostViewedOut,
    summary="The most viewed products over a range",
    responses=ERRORS,
)
async def most_viewed(
    viewer: AnalyticsStaff, period: Period, limit: TopLimit = reports.TOP_LIMIT
) -> MostViewedOut:
    viewed = await reports.most_viewed(viewer, period, limit)
    return MostViewedOut(
        **RangeOut.range_of(period),
        items=[
            ViewedProductOut(product_id=p.product_id, name=p.name, sku=p.sku, views=p.views)
            for p in viewed
        ],
    )


@router.get(
    "/cart-recovery",
    response_model=CartRecoveryOut,
    summary="Abandoned-cart reminders over a range: sent, followed, and the orders they won",
    responses=ERRORS,
)
async def cart_recovery(viewer: AnalyticsStaff, period: Period) -> CartRecoveryOut:
    figures = await reports.cart_recovery_results(viewer, period)
    return CartRecoveryOut(
        **RangeOut.range_of(period),
        currency=_currency(),
        reminders_sent=figures.reminders_sent,
        carts_restored=figures.carts_restored,
        recovered_orders=figures.recovered_orders,
        recovered_revenue=decimal_string(figures.recovered_revenue),
    )


@router.get(
    "/summary",
    response_model=SummaryOut,
    summary="Sales today and this month so far (UTC): revenue, paid orders, average order",
    responses=problem_responses(401, 403),
)
async def summary(viewer: AnalyticsStaff) -> SummaryOut:
    figures = await reports.sales_summary(viewer)
    return SummaryOut(
        currency=figures.currency,
        revenue_today=decimal_string(figures.revenue_today),
        orders_today=figures.orders_today,
        revenue_month=decimal_string(figures.revenue_month),
        orders_month=figures.orders_month,
        average_order_value_month=decimal_string(figures.average_order_value_month),
    )


@router.get(
    "/revenue-per-day",
    response_model=RevenuePerDayOut,
    summary="Revenue and paid orders per day over the last days (days without sales as 0)",
    responses=ERRORS,
)
async def revenue_per_day(
    viewer: AnalyticsStaff,
    days: Annotated[
        int, Query(ge=1, le=reports.MAX_REVENUE_DAYS, description="How many days, up to today.")
    ] = reports.REVENUE_DAYS,
) -> RevenuePerDayOut:
    per_day = await reports.revenue_per_day(viewer, days)
    return RevenuePerDayOut(
        currency=_currency(),
        days=[
            DayRevenueOut(day=d.day, revenue=decimal_string(d.revenue), orders=d.orders)
            for d in per_day
        ],
    )


@router.get(
    "/orders-by-status",
    response_model=list[StatusCountOut],
    summary="How many orders are in each status (every order ever), by status name",
    responses=problem_responses(401, 403),
)
async def orders_by_status(viewer: AnalyticsStaff) -> list[StatusCountOut]:
    counts = await reports.orders_by_status(viewer)
    return [StatusCountOut(status=name, orders=count) for name, count in sorted(counts.items())]


@router.get(
    "/low-stock",
    response_model=list[LowStockOut],
    summary="Active products at or below their low-stock threshold, the emptiest first",
    responses=ERRORS,
)
async def low_stock(
    viewer: AnalyticsStaff,
    limit: Annotated[
        int, Query(ge=1, le=reports.MAX_LOW_STOCK_LIMIT, description="How many at most.")
    ] = reports.LOW_STOCK_LIMIT,
) -> list[LowStockOut]:
    return [
        LowStockOut(name=i.name, sku=i.sku, stock=i.stock, threshold=i.threshold)
        for i in await reports.low_stock(viewer, limit)
    ]
