"""Admin products table (read-only for now), newest first, paged."""

from __future__ import annotations

import dataclasses

import reflex as rx

from admin.components.layout import admin_page
from admin.components.tables import data_table, pager
from admin.state import AdminState
from backend.catalog import queries as catalog

PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class ProductRow:
    name: str
    sku: str
    category: str
    brand: str
    price: str
    stock: int
    status: str


class ProductsTableState(AdminState):
    rows: list[ProductRow] = []
    page: int = 1
    page_count: int = 1
    total: int = 0

    async def _load_page(self, page: int) -> None:
        result = await catalog.list_all_products(page=page, limit=PAGE_SIZE)
        self.rows = [
            ProductRow(
                name=p.name,
                sku=p.sku,
                category=p.category_name,
                brand=p.brand or "—",
                price=p.price_display,
                stock=p.stock_quantity,
                status="Active" if p.is_active else "Hidden",
            )
            for p in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        await self._load_page(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))


def _row(row: rx.Var[ProductRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name),
        rx.table.cell(row.sku),
        rx.table.cell(row.category),
        rx.table.cell(row.brand),
        rx.table.cell(row.price, text_align="right"),
        rx.table.cell(row.stock, text_align="right"),
        rx.table.cell(
            rx.badge(row.status, color_scheme=rx.cond(row.status == "Active", "grass", "gray"))
        ),
    )


COLUMNS = ("Name", "SKU", "Category", "Brand", ("Price", "right"), ("Stock", "right"), "Status")


def products_page() -> rx.Component:
    return admin_page(
        "Products",
        rx.vstack(
            rx.text(ProductsTableState.total, " products", color_scheme="gray", size="2"),
            data_table(COLUMNS, ProductsTableState.rows, _row),
            pager(
                page=ProductsTableState.page,
                page_count=ProductsTableState.page_count,
                on_previous=ProductsTableState.previous_page,
                on_next=ProductsTableState.next_page,
            ),
            spacing="3",
            width="100%",
        ),
    )
