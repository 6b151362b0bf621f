"""Admin overview: the catalog's numbers for all staff; for admins also sales (today, this
month, average order value), revenue per day, orders by status, low stock and the latest
orders, refreshed live while the page is open."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal
from typing import ClassVar

import reflex as rx
from reflex_base.registry import RegistrationContext

from admin.components.layout import admin_page, may
from admin.state import AdminState
from backend.accounts.permissions import PERMISSION_LABELS, Permission
from backend.accounts.schemas import Viewer
from backend.analytics import reports, sales
from backend.catalog import queries as catalog
from backend.core.clock import utcnow
from backend.core.heartbeat import last_worker_heartbeat
from backend.core.money import format_money
from backend.orders import queries as order_queries
from backend.orders import status as order_status
from ui.access import SessionState
from ui.tables import data_table


class OverviewState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    products: int = 0
    active_products: int = 0
    out_of_stock: int = 0
    categories: int = 0
    worker_running: bool = False
    worker_status: str = ""
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        heartbeat = await last_worker_heartbeat()
        self.worker_running = heartbeat is not None
        self.worker_status = (
            f"Running: last heartbeat {max(0, int((utcnow() - heartbeat).total_seconds()))} s ago"
            if heartbeat
            else "Not running: background jobs are waiting. Start it with ./shop run."
        )
        counts = await catalog.get_catalog_counts()
        self.products = counts.products
        self.active_products = counts.active_products
        self.out_of_stock = counts.out_of_stock
        self.categories = counts.categories
        self.loaded = True


# While an admin has the overview open, new orders appear within this many seconds.
LIVE_REFRESH_SECONDS = 2.0
LIVE_MAX_ROUNDS = 900  # half an hour at most; a reload starts again


@dataclasses.dataclass(frozen=True)
class LatestOrder:
    number: str
    url: str
    placed_at: str
    customer: str
    status: str
    total: str


@dataclasses.dataclass(frozen=True)
class LowStockRow:
    name: str
    sku: str
    stock: int
    threshold: int


def _connected(client_token: str) -> bool:
    """Whether the browser tab is still connected to this web process."""
    # The running app, as Reflex itself finds it (this page must not import the composition
    # root, which imports it).
    namespace = RegistrationContext.get().app.event_namespace
    return namespace is None or client_token in namespace.token_to_sid


class SalesState(AdminState):
    permission: ClassVar[Permission] = Permission.ANALYTICS

    revenue_today: str = ""
    orders_today: int = 0
    revenue_month: str = ""
    orders_month: int = 0
    average_order: str = ""
    conversion_today: str = ""
    visitors_today: int = 0
    revenue_chart: list[dict[str, str | int]] = []
    status_counts: list[tuple[str, int]] = []
    latest: list[LatestOrder] = []
    low_stock: list[LowStockRow] = []
    loaded: bool = False

    _watch_round: int = 0

    async def _figures(self, actor: Viewer) -> dict[str, object]:
        summary = await reports.sales_summary(actor)

        def money(amount: Decimal) -> str:
            return format_money(amount, summary.currency)

        latest = await order_queries.list_all_orders(actor, limit=8)
        today = utcnow().date()
        stages = await reports.shopping_funnel(actor, reports.DateRange(today, today))
        viewers, payers = stages[0].visitors, stages[-1].visitors
        return {
            "conversion_today": f"{payers / viewers * 100:.1f} %" if viewers else "—",
            "visitors_today": viewers,
            "revenue_today": money(summary.revenue_today),
            "orders_today": summary.orders_today,
            "revenue_month": money(summary.revenue_month),
            "orders_month": summary.orders_month,
            "average_order": money(summary.average_order_value_month),
            # Bar heights only (whole currency units); amounts are shown as text elsewhere.
            "revenue_chart": [
                {"day": d.day.strftime("%d %b"), "revenue": int(d.revenue), "orders": d.orders}
                for d in await reports.revenue_per_day(actor, reports.REVENUE_DAYS)
            ],
            "status_counts": [
                (order_status.label(name), count)
                for name, count in sorted((await reports.orders_by_status(actor)).items())
            ],
            "latest": [
                LatestOrder(
                    o.number,
                    f"/admin/orders/{o.number}",
                    o.created_at.strftime("%d %b %H:%M"),
                    o.customer_name,
                    order_status.label(o.status),
                    format_money(o.total, o.currency),
                )
                for o in latest.items
            ],
            "low_stock": [
                LowStockRow(i.name, i.sku, i.stock, i.threshold)
                for i in await reports.low_stock(actor)
            ],
            "loaded": True,
        }

    @rx.event
    async def load(self) -> rx.event.EventSpec:
        for name, value in (await self._figures(self.staff_viewer)).items():
            setattr(self, name, value)
        self._watch_round += 1
        return SalesState.watch(self._watch_round)

    @rx.event(background=True)
    async def watch(self, round_id: int) -> None:
        """Refresh the figures when orders change, while this admin keeps the page open."""
        last = await sales.orders_fingerprint()
        for _ in range(LIVE_MAX_ROUNDS):
            await asyncio.sleep(LIVE_REFRESH_SECONDS)
            async with self:
                session = await self.get_state(SessionState)
                await session._refresh_viewer(force=True)
                still_here = (
                    self.router.page.path == "/admin"
                    and self._watch_round == round_id
                    and _connected(self.router.session.client_token)
                )
                allowed = Permission.ANALYTICS in session.viewer_permissions
                if not still_here or not allowed or session.viewer is None:
                    return  # closed or left the page, reloaded it, or may no longer see sales
                actor = session.viewer
            current = await sales.orders_fingerprint()
            if current == last:
                continue
            last = current
            figures = await self._figures(actor)
            async with self:
                for name, value in figures.items():
                    setattr(self, name, value)


def _stat(label: str, value: rx.Var[int], hint: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="7", weight="bold"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
        ),
        role="group",
        aria_label=label,
    )


def _worker_callout(icon: str, color: str) -> rx.Component:
    return rx.callout(
        "Background worker — " + OverviewState.worker_status,
        icon=icon,
        color_scheme=color,  # type: ignore[arg-type]
        margin_top="16px",
        role="status",
    )


def _money_stat(label: str, value: rx.Var[str], hint: rx.Var[str] | str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
        ),
        role="group",
        aria_label=label,
    )


def _orders_count(count: rx.Var[int]) -> rx.Var[str]:
    return count.to_string() + rx.cond(count == 1, " order", " orders")


def _sales() -> rx.Component:
    state = SalesState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.grid(
                _money_stat(
                    "Revenue today", state.revenue_today, _orders_count(state.orders_today)
                ),
                _money_stat(
                    "Revenue this month",
                    state.revenue_month,
                    _orders_count(state.orders_month),
                ),
                _money_stat("Average order value", state.average_order, "this month"),
                _money_stat(
                    "Conversion today",
                    state.conversion_today,
                    "of " + state.visitors_today.to_string() + " product viewers paid",
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4",
                width="100%",
            ),
            rx.card(
                rx.text("Revenue per day, last 30 days", size="2", weight="medium"),
                rx.recharts.bar_chart(
                    rx.recharts.bar(data_key="revenue", fill=rx.color("accent", 9)),
                    rx.recharts.x_axis(data_key="day", font_size=11),
                    rx.recharts.y_axis(font_size=11, width=48),
                    rx.recharts.graphing_tooltip(),
                    data=state.revenue_chart,
                    height=220,
                    width="100%",
                ),
                width="100%",
            ),
            rx.grid(
                rx.card(
                    rx.text("Latest orders", size="2", weight="medium"),
                    data_table(
                        ("Order", "Placed", "Customer", "Status", ("Total", "right")),
                        state.latest,
                        lambda o: rx.table.row(
                            rx.table.cell(rx.link(o.number, href=o.url)),
                            rx.table.cell(o.placed_at),
                            rx.table.cell(o.customer),
                            rx.table.cell(o.status),
                            rx.table.cell(o.total, text_align="right"),
                        ),
                    ),
                    aria_label="Latest orders",
                    role="region",
                ),
                rx.vstack(
                    rx.card(
                        rx.text("Orders by status", size="2", weight="medium"),
                        rx.foreach(
                            state.status_counts,
                            lambda row: rx.hstack(
                                rx.text(row[0]), rx.spacer(), rx.text(row[1]), width="100%"
                            ),
                        ),
                        width="100%",
                    ),
                    rx.card(
                        rx.text("Low stock", size="2", weight="medium"),
                        rx.cond(
                            state.low_stock.length() == 0,
                            rx.text("Nothing is running low.", size="2", color_scheme="gray"),
                        ),
                        rx.foreach(
                            state.low_stock,
                            lambda item: rx.hstack(
                                rx.text(item.name, size="2"),
                                rx.spacer(),
                                rx.badge(item.stock, color_scheme="tomato"),
                                width="100%",
                            ),
                        ),
                        width="100%",
                        aria_label="Low stock",
                        role="region",
                    ),
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", lg="2fr 1fr"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
            margin_y="16px",
        ),
    )


def _your_access() -> rx.Component:
    """What the viewer's staff groups let them do here, by name."""
    return rx.text(
        "Your access: ",
        rx.foreach(
            SessionState.staff_permissions,
            lambda value, index: rx.fragment(
                rx.cond(index > 0, ", ", ""), PERMISSION_LABEL_VAR[value]
            ),
        ),
        ".",
        size="2",
        color_scheme="gray",
    )


PERMISSION_LABEL_VAR = rx.Var.create(
    {permission.value: label for permission, label in PERMISSION_LABELS.items()}
)


def overview_page() -> rx.Component:
    return admin_page(
        "Overview",
        _your_access(),
        rx.cond(may(Permission.ANALYTICS), _sales()),
        rx.cond(
            may(Permission.CATALOG) & OverviewState.loaded,
            rx.grid(
                _stat("Products", OverviewState.products, "in the catalog"),
                _stat(
                    "Active products", OverviewState.active_products, "visible in the storefront"
                ),
                _stat("Out of stock", OverviewState.out_of_stock, "active but not available"),
                _stat("Categories", OverviewState.categories, "to browse by"),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4",
                width="100%",
            ),
            rx.cond(may(Permission.CATALOG), rx.spinner()),
        ),
        rx.cond(
            may(Permission.CATALOG) & OverviewState.loaded,
            rx.cond(
                OverviewState.worker_running,
                _worker_callout("circle-check", "grass"),
                _worker_callout("circle-alert", "amber"),
            ),
        ),
        permission=None,
    )
