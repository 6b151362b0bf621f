"""Admin overview: the catalog's numbers, read live from the database."""

from __future__ import annotations

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.catalog import queries as catalog
from backend.core.clock import utcnow
from backend.core.heartbeat import last_worker_heartbeat


class OverviewState(AdminState):
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


def overview_page() -> rx.Component:
    return admin_page(
        "Overview",
        rx.cond(
            OverviewState.loaded,
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
            rx.spinner(),
        ),
        rx.cond(
            OverviewState.loaded,
            rx.cond(
                OverviewState.worker_running,
                _worker_callout("circle-check", "grass"),
                _worker_callout("circle-alert", "amber"),
            ),
        ),
    )
