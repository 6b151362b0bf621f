"""The admin's products page: the filter bar, the products table with its bulk bar (show,
hide, change prices) and the pager (state: products.py)."""

from __future__ import annotations

import reflex as rx

from admin.components.catalog_pickers import choice_select
from admin.components.layout import admin_page, may
from admin.pages.products import (
    SORT_CHOICES,
    STATUS_CHOICES,
    STOCK_CHOICES,
    ProductRow,
    ProductsTableState,
)
from backend.accounts.permissions import Permission
from ui.forms import form_alert, success_note
from ui.tables import STACKED_BELOW_TABLET, pager


def _status_badge(active: rx.Var[bool]) -> rx.Component:
    return rx.badge(
        rx.cond(active, "Active", "Hidden"), color_scheme=rx.cond(active, "grass", "gray")
    )


def _row(row: rx.Var[ProductRow]) -> rx.Component:
    return rx.table.row(
        rx.cond(
            may(Permission.CATALOG),
            rx.table.cell(
                rx.checkbox(
                    checked=ProductsTableState.selected.contains(row.id),
                    on_change=lambda checked: ProductsTableState.toggle(row.id, checked),
                    aria_label="Select " + row.name,
                )
            ),
        ),
        rx.table.row_header_cell(rx.link(row.name, href=row.url)),
        rx.table.cell(rx.code(row.sku, variant="ghost"), data_label="SKU"),
        rx.table.cell(row.category, data_label="Category"),
        rx.table.cell(row.brand, data_label="Brand"),
        rx.table.cell(row.price, text_align="right", data_label="Price"),
        rx.table.cell(
            rx.text(row.stock, color_scheme=rx.cond(row.low, "tomato", "gray"), weight="medium"),
            text_align="right",
            data_label="Stock",
        ),
        rx.table.cell(_status_badge(row.active), data_label="Status"),
    )


def _heading(label: str, align: str = "left") -> rx.Component:
    return rx.table.column_header_cell(label, text_align=align)


def _table() -> rx.Component:
    all_on_page = (ProductsTableState.selected.length() == ProductsTableState.rows.length()) & (
        ProductsTableState.rows.length() > 0
    )
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.cond(
                        may(Permission.CATALOG),
                        rx.table.column_header_cell(
                            rx.checkbox(
                                checked=all_on_page,
                                on_change=ProductsTableState.toggle_page,
                                aria_label="Select every product on this page",
                            ),
                            width="36px",
                        ),
                    ),
                    _heading("Name"),
                    _heading("SKU"),
                    _heading("Category"),
                    _heading("Brand"),
                    _heading("Price", "right"),
                    _heading("Stock", "right"),
                    _heading("Status"),
                )
            ),
            rx.table.body(rx.foreach(ProductsTableState.rows, _row)),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        style=STACKED_BELOW_TABLET,  # a phone gets one block per product
    )


def _filters() -> rx.Component:
    state = ProductsTableState
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="text",
                    placeholder="Name or SKU",
                    default_value=state.text,
                    aria_label="Search products by name or SKU",
                    width="220px",
                ),
                rx.button("Search", type="submit", variant="soft"),
                spacing="2",
            ),
            on_submit=state.search,
            reset_on_submit=False,
        ),
        choice_select(
            state.category_options,
            label="Category",
            value=state.category,
            on_change=state.filter_category,
            any_label="All categories",
            width="190px",
        ),
        choice_select(
            state.brand_options,
            label="Brand",
            value=state.brand,
            on_change=state.filter_brand,
            any_label="All brands",
            width="150px",
        ),
        choice_select(
            STATUS_CHOICES,  # type: ignore[arg-type]
            label="Status",
            value=state.status,
            on_change=state.filter_status,
            any_label="Any status",
            width="130px",
        ),
        choice_select(
            STOCK_CHOICES,  # type: ignore[arg-type]
            label="Stock",
            value=state.stock,
            on_change=state.filter_stock,
            any_label="Any stock",
            width="130px",
        ),
        choice_select(
            SORT_CHOICES,  # type: ignore[arg-type]
            label="Sort",
            value=state.sort,
            on_change=state.sort_by,
            width="170px",
        ),
        rx.button("Clear", on_click=state.clear_filters, variant="ghost"),
        wrap="wrap",
        gap="8px",
        align="center",
        width="100%",
    )


def _bulk_bar() -> rx.Component:
    state = ProductsTableState
    return rx.cond(
        may(Permission.CATALOG) & (state.selected.length() > 0),
        rx.card(
            rx.flex(
                rx.text(state.selected.length(), " selected", weight="medium"),
                rx.button("Activate", on_click=state.activate_selected, variant="soft"),
                rx.button(
                    "Deactivate",
                    on_click=state.deactivate_selected,
                    variant="soft",
                    color_scheme="gray",
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="percent",
                            placeholder="+10 or -15",
                            aria_label="Change prices by percent",
                            width="110px",
                        ),
                        rx.text("%", size="2"),
                        rx.button("Change prices", type="submit", variant="soft"),
                        align="center",
                        spacing="2",
                    ),
                    on_submit=state.change_prices,
                ),
                rx.cond(
                    state.percent_error != "",
                    rx.text(state.percent_error, color_scheme="tomato", size="2", role="alert"),
                ),
                wrap="wrap",
                gap="12px",
                align="center",
            ),
            width="100%",
        ),
    )


def _actions() -> rx.Component:
    return rx.cond(
        may(Permission.CATALOG),
        rx.hstack(
            rx.link(rx.button(rx.icon("plus", size=16), "New product"), href="/admin/products/new"),
            rx.link(
                rx.button(rx.icon("folder-tree", size=16), "Categories & brands", variant="soft"),
                href="/admin/catalog",
            ),
            rx.link(
                rx.button(rx.icon("file-spreadsheet", size=16), "Import / export", variant="soft"),
                href="/admin/products/import",
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def products_page() -> rx.Component:
    state = ProductsTableState
    return admin_page(
        "Products",
        rx.vstack(
            _actions(),
            _filters(),
            form_alert(state.message),
            success_note(state.done),
            _bulk_bar(),
            rx.text(state.total, " products", color_scheme="gray", size="2"),
            _table(),
            pager(
                page=state.page,
                page_count=state.page_count,
                on_previous=state.previous_page,
                on_next=state.next_page,
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
