"""Admin analytics for a date range: revenue, orders, average order value, best sellers,
most viewed products, the shopping funnel and abandoned-cart recovery. Admins only."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.analytics import reports
from backend.cart_recovery.attribution import ATTRIBUTION_DAYS
from backend.core.money import format_money
from backend.settings import get_settings
from ui.tables import data_table

# How Analytics names what a promotion applied to.
PROMOTION_KINDS = {
    "items": "Sale",
    "multibuy": "Multi-buy",
    "order": "Order offer",
    "shipping": "Shipping offer",
}


@dataclasses.dataclass(frozen=True)
class StageRow:
    label: str
    visitors: int
    conversion: str


@dataclasses.dataclass(frozen=True)
class ProductRow:
    name: str
    detail: str
    figure: str


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _parse_day(raw: object) -> date | None:
    """A typed day, or None (the range's default end) for nothing or nonsense."""
    try:
        return date.fromisoformat(str(raw or "")[:10])
    except ValueError:
        return None


class AnalyticsState(AdminState):
    permission: ClassVar[Permission] = Permission.ANALYTICS

    first: str = ""
    last: str = ""
    revenue: str = ""
    orders: int = 0
    average_order: str = ""
    stages: list[StageRow] = []
    best_sellers: list[ProductRow] = []
    best_variants: list[ProductRow] = []
    most_viewed: list[ProductRow] = []
    promotions: list[ProductRow] = []
    reminders_sent: int = 0
    carts_restored: int = 0
    recovered_orders: int = 0
    recovered_revenue: str = ""
    loaded: bool = False

    async def _show(self, first: date | None, last: date | None) -> None:
        actor = self.staff_viewer
        period = reports.date_range(first, last)
        currency = get_settings().shop_currency
        totals = await reports.range_sales(actor, period)
        self.first, self.last = period.first.isoformat(), period.last.isoformat()
        self.revenue = format_money(totals.revenue, currency)
        self.orders = totals.orders
        self.average_order = format_money(totals.average_order_value, currency)
        self.stages = [
            StageRow(stage.label, stage.visitors, _percent(stage.of_previous))
            for stage in await reports.shopping_funnel(actor, period)
        ]
        self.best_sellers = [
            ProductRow(p.name, f"{p.sku} · {p.quantity} sold", format_money(p.revenue, currency))
            for p in await reports.best_sellers(actor, period)
        ]
        self.best_variants = [
            ProductRow(p.name, f"{p.sku} · {p.quantity} sold", format_money(p.revenue, currency))
            for p in await reports.best_variants(actor, period)
        ]
        self.promotions = [
            ProductRow(
                p.title,
                f"{PROMOTION_KINDS.get(p.applies_to, p.applies_to)} · "
                f"{p.orders} order{'' if p.orders == 1 else 's'} · "
                f"{format_money(p.discount, currency)} off",
                format_money(p.revenue, currency),
            )
            for p in await reports.promotion_results(actor, period)
        ]
        self.most_viewed = [
            ProductRow(
                p.name or "(deleted product)",
                p.sku or "",
                f"{p.views} view" if p.views == 1 else f"{p.views} views",
            )
            for p in await reports.most_viewed(actor, period)
        ]
        recovery = await reports.cart_recovery_results(actor, period)
        self.reminders_sent, self.carts_restored = recovery.reminders_sent, recovery.carts_restored
        self.recovered_orders = recovery.recovered_orders
        self.recovered_revenue = format_money(recovery.recovered_revenue, currency)
        self.loaded = True

    @rx.event
    async def load(self) -> None:
        await self._show(None, None)

    @rx.event
    async def choose_range(self, form_data: dict[str, str]) -> None:
        await self._show(_parse_day(form_data.get("first")), _parse_day(form_data.get("last")))


def _figure(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold"),
            spacing="1",
        ),
        role="group",
        aria_label=label,
    )


def _product_table(
    title: str, rows: rx.Var[list[ProductRow]], figure: str, subject: str = "Product"
) -> rx.Component:
    return rx.card(
        rx.text(title, size="2", weight="medium"),
        data_table(
            (subject, "", (figure, "right")),
            rows,
            lambda row: rx.table.row(
                rx.table.cell(row.name),
                rx.table.cell(row.detail, color=rx.color("gray", 11)),
                rx.table.cell(row.figure, text_align="right"),
            ),
        ),
        role="region",
        aria_label=title,
        width="100%",
    )


def _recovery_figures() -> rx.Component:
    state = AnalyticsState
    return rx.card(
        rx.vstack(
            rx.text("Abandoned-cart recovery", size="2", weight="medium"),
            rx.grid(
                _figure("Reminders sent", state.reminders_sent),
                _figure("Carts restored", state.carts_restored),
                _figure("Recovered orders", state.recovered_orders),
                _figure("Recovered revenue", state.recovered_revenue),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                "Recovered: paid orders placed from a cart its reminder link restored "
                f"(that browser's cart or the reminded account), within {ATTRIBUTION_DAYS} "
                "days of the link's first use; revenue after refunds, by order date.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        role="region",
        aria_label="Abandoned-cart recovery",
        width="100%",
    )


def analytics_page() -> rx.Component:
    state = AnalyticsState
    return admin_page(
        "Analytics",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.el.label(
                        rx.text("From", size="2"),
                        rx.input(name="first", type="date", default_value=state.first),
                    ),
                    rx.el.label(
                        rx.text("To", size="2"),
                        rx.input(name="last", type="date", default_value=state.last),
                    ),
                    rx.button("Show", type="submit", variant="soft"),
                    align="end",
                    spacing="3",
                    wrap="wrap",  # a phone puts the button under the dates
                ),
                key=state.first + state.last,
                on_submit=state.choose_range,
                reset_on_submit=False,
            ),
            rx.cond(
                state.loaded,
                rx.vstack(
                    rx.grid(
                        _figure("Revenue", state.revenue),
                        _figure("Orders", state.orders),
                        _figure("Average order value", state.average_order),
                        columns=rx.breakpoints(initial="1", sm="3"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.card(
                        rx.text("Funnel (unique visitors)", size="2", weight="medium"),
                        data_table(
                            ("Step", ("Visitors", "right"), ("Of the step before", "right")),
                            state.stages,
                            lambda stage: rx.table.row(
                                rx.table.cell(stage.label),
                                rx.table.cell(stage.visitors, text_align="right"),
                                rx.table.cell(stage.conversion, text_align="right"),
                            ),
                        ),
                        role="region",
                        aria_label="Funnel",
                        width="100%",
                    ),
                    _recovery_figures(),
                    rx.grid(
                        _product_table("Best sellers", state.best_sellers, "Revenue"),
                        _product_table("Best-selling variants", state.best_variants, "Revenue"),
                        _product_table("Most viewed", state.most_viewed, "Views"),
                        _product_table("Promotions", state.promotions, "Revenue", "Promotion"),
                        columns=rx.breakpoints(initial="1", lg="2"),
                        spacing="4",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.ANALYTICS,
    )
