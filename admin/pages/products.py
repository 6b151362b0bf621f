"""Admin products table: find products by text, category, brand, status and stock, sort
them, page through them; administrators also select rows for bulk changes (show, hide,
change prices by a percentage). Staff may look; the catalog services let only admins
change anything."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import reflex as rx

from admin.components.catalog_pickers import ANY, Choice, category_choices
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import category_queries
from backend.catalog import queries as catalog
from backend.catalog import services as catalog_services
from backend.catalog.staff_table import (
    StaffProductQuery,
    StaffSort,
    StatusFilter,
    StockFilter,
    list_products_for_staff,
)
from backend.core.errors import DomainError

PAGE_SIZE = 25

SORT_CHOICES = [
    Choice(StaffSort.NEWEST, "Newest first"),
    Choice(StaffSort.UPDATED, "Recently edited"),
    Choice(StaffSort.NAME, "Name A–Z"),
    Choice(StaffSort.PRICE_LOW, "Price, low to high"),
    Choice(StaffSort.PRICE_HIGH, "Price, high to low"),
    Choice(StaffSort.STOCK_LOW, "Stock, lowest first"),
]
STATUS_CHOICES = [Choice(StatusFilter.ACTIVE, "Active"), Choice(StatusFilter.HIDDEN, "Hidden")]
STOCK_CHOICES = [Choice(StockFilter.LOW, "Low stock"), Choice(StockFilter.OUT, "Sold out")]


@dataclasses.dataclass(frozen=True)
class ProductRow:
    id: str
    url: str
    name: str
    sku: str
    category: str
    brand: str
    price: str
    stock: int
    low: bool
    active: bool


class ProductsTableState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    rows: list[ProductRow] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    # The filters, as the controls show them.
    text: str = ""
    category: str = ANY
    brand: str = ANY
    status: str = ANY
    stock: str = ANY
    sort: str = StaffSort.NEWEST
    category_options: list[Choice] = []
    brand_options: list[Choice] = []
    # Bulk changes (administrators).
    selected: list[str] = []
    percent_error: str = ""
    message: str = ""
    done: str = ""

    def _query(self) -> StaffProductQuery:
        def chosen(value: str) -> str:
            return "" if value == ANY else value

        return StaffProductQuery.from_strings(
            text=self.text,
            category_id=chosen(self.category),
            brand=chosen(self.brand),
            status=chosen(self.status),
            stock=chosen(self.stock),
            sort=self.sort,
        )

    async def _load_page(self, page: int) -> None:
        result = await list_products_for_staff(self._query(), page=page, limit=PAGE_SIZE)
        self.rows = [
            ProductRow(
                id=str(p.id),
                url=f"/admin/products/{p.id}",
                name=p.name,
                sku=p.sku,
                category=p.category_name,
                brand=p.brand or "—",
                price=p.price_display,
                stock=p.stock_quantity,
                low=p.stock_quantity <= p.low_stock_threshold,
                active=p.is_active,
            )
            for p in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        self.message, self.done, self.percent_error, self.selected = "", "", "", []
        self.category_options = category_choices(await category_queries.get_category_tree())
        self.brand_options = [Choice(name, name) for name in await catalog.list_brand_names()]
        await self._load_page(1)

    @rx.event
    async def search(self, form_data: dict[str, str]) -> None:
        self.text = str(form_data.get("text") or "").strip()[:100]
        await self._load_page(1)

    async def _filter(self, field: str, value: str, allowed: set[str]) -> None:
        setattr(self, field, value if value in allowed else ANY)
        self.selected = []
        await self._load_page(1)

    @rx.event
    async def filter_category(self, value: str) -> None:
        await self._filter("category", str(value), {c.value for c in self.category_options})

    @rx.event
    async def filter_brand(self, value: str) -> None:
        await self._filter("brand", str(value), {c.value for c in self.brand_options})

    @rx.event
    async def filter_status(self, value: str) -> None:
        await self._filter("status", str(value), set(StatusFilter))

    @rx.event
    async def filter_stock(self, value: str) -> None:
        await self._filter("stock", str(value), set(StockFilter))

    @rx.event
    async def sort_by(self, value: str) -> None:
        self.sort = value if value in set(StaffSort) else StaffSort.NEWEST
        await self._load_page(1)

    @rx.event
    async def clear_filters(self) -> None:
        self.text, self.category, self.brand, self.status, self.stock = "", ANY, ANY, ANY, ANY
        self.selected = []
        await self._load_page(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))

    # --- selection and bulk changes ---------------------------------------------------------

    @rx.event
    def toggle(self, product_id: str, checked: bool) -> None:
        product_id = str(product_id)[:36]
        others = [chosen for chosen in self.selected if chosen != product_id]
        self.selected = [*others, product_id] if checked else others

    @rx.event
    def toggle_page(self, checked: bool) -> None:
        self.selected = [row.id for row in self.rows] if checked else []

    def _selected_ids(self) -> list[uuid.UUID]:
        ids = []
        for value in self.selected:
            try:
                ids.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        return ids

    async def _bulk(self, change: object, done: str) -> None:
        self.message, self.done = "", ""
        try:
            count = await change  # type: ignore[misc]
        except DomainError as error:
            self.message = error.message
            return
        self.done = done.format(count=count)
        self.selected = []
        await self._load_page(self.page)

    @rx.event
    async def activate_selected(self) -> None:
        await self._bulk(
            catalog_services.set_products_active(
                self._selected_ids(),
                active=True,
                actor=self.staff_viewer,
            ),
            "{count} products shown in the storefront.",
        )

    @rx.event
    async def deactivate_selected(self) -> None:
        await self._bulk(
            catalog_services.set_products_active(
                self._selected_ids(),
                active=False,
                actor=self.staff_viewer,
            ),
            "{count} products hidden from the storefront.",
        )

    @rx.event
    async def change_prices(self, form_data: dict[str, str]) -> None:
        self.percent_error = ""
        text = str(form_data.get("percent") or "").strip().rstrip("%").strip()[:12]
        try:
            percent = Decimal(text)
        except InvalidOperation:
            self.percent_error = "Enter a percentage such as 10 or -15."
            return
        await self._bulk(
            catalog_services.change_prices_by_percent(
                self._selected_ids(),
                percent,
                actor=self.staff_viewer,
            ),
            "{count} prices changed by " + f"{percent:+} %.",
        )
