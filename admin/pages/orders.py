"""Admin orders: the list, filtered by status, search, placed dates, total and account
(one order's actions: `order_actions.py`; its page: `order_detail.py`). Admins only: every
handler is behind the access guard."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import InvalidInputError
from backend.core.money import format_money
from backend.orders import queries as order_queries
from backend.orders import status
from backend.orders.filters import OrderFilters, parse_order_filters
from ui.forms import labelled_input
from ui.tables import data_table, pager

PAGE_SIZE = 25
STATUS_CHOICES = ["all", *status.ORDER_TRANSITIONS]
FILTER_FIELDS = ("search", "customer_tag", "placed_from", "placed_to", "min_total", "max_total")


@dataclasses.dataclass(frozen=True)
class OrderRow:
    number: str
    url: str
    placed_at: str
    customer_name: str
    email: str
    status: str
    payment: str
    total: str


def _customer_from_query(raw: str | None) -> uuid.UUID | None:
    """The account of `?customer=<id>` (a link from the customer page), if it is a UUID."""
    try:
        return uuid.UUID(str(raw or "")[:36]) if raw else None
    except ValueError:
        return None


class OrdersTableState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_VIEW

    rows: list[OrderRow] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    status_filter: str = "all"
    errors: dict[str, str] = {}
    # Set when the list shows one account's orders (from its customer page).
    customer_url: str = ""

    # The filters applied (the submitted form, already valid), kept for the pager.
    _applied: dict[str, str] = {}
    _customer_id: str = ""

    def _filters(self) -> OrderFilters:
        customer = uuid.UUID(self._customer_id) if self._customer_id else None
        return parse_order_filters(self._applied, customer_id=customer)

    async def _load_page(self, page: int) -> None:
        result = await order_queries.list_all_orders(
            self.staff_viewer,
            filters=self._filters(),
            page=page,
            limit=PAGE_SIZE,
        )
        self.rows = [
            OrderRow(
                number=o.number,
                url=f"/admin/orders/{o.number}",
                placed_at=o.created_at.strftime("%d %b %Y %H:%M"),
                customer_name=o.customer_name,
                email=o.email,
                status=status.label(o.status),
                payment=status.label(o.payment_status),
                total=format_money(o.total, o.currency),
            )
            for o in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        # A fresh page shows empty filter fields, so no filter may linger from earlier.
        self.status_filter, self.errors, self._applied = "all", {}, {}
        customer = _customer_from_query(self.router.url.query_parameters.get("customer"))
        self._customer_id = str(customer) if customer else ""
        self.customer_url = f"/admin/accounts/{customer}" if customer else ""
        await self._load_page(1)

    @rx.event
    async def choose_status(self, value: str) -> None:
        """The status menu's choice; applied with the other filters on submit."""
        self.status_filter = value if value in STATUS_CHOICES else "all"

    @rx.event
    async def apply_filters(self, form_data: dict[str, object]) -> None:
        form = {name: str(form_data.get(name) or "")[:100] for name in FILTER_FIELDS}
        form["status"] = self.status_filter
        try:
            parse_order_filters(form)
        except InvalidInputError as error:
            self.errors = dict(error.field_errors)
            return
        self.errors, self._applied = {}, form
        await self._load_page(1)

    @rx.event
    async def clear_filters(self) -> rx.event.EventSpec | None:
        """Empties every filter (the form's own reset button empties its fields)."""
        if self._customer_id:
            return rx.redirect("/admin/orders")  # drops ?customer=…; its load clears the rest
        self.status_filter, self.errors, self._applied = "all", {}, {}
        await self._load_page(1)
        return None

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))


def _row(row: rx.Var[OrderRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.number, href=row.url), white_space="nowrap"),
        rx.table.cell(row.placed_at, white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(row.customer_name),
                rx.text(row.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(row.status),
        rx.table.cell(row.payment),
        rx.table.cell(row.total, text_align="right", white_space="nowrap"),
    )


COLUMNS = ("Order", "Placed", "Customer", "Status", "Payment", ("Total", "right"))


def _field(component: rx.Component, width: str) -> rx.Component:
    return rx.box(component, width=width)


def _amount_input(label: str, name: str) -> rx.Component:
    return labelled_input(
        label,
        name,
        OrdersTableState.errors.get(name, ""),
        type="number",
        min="0",
        step="0.01",
        input_mode="decimal",
    )


def _filter_form() -> rx.Component:
    """Two rows that fit the 1280 px dashboard: what to look for, then the ranges."""
    state = OrdersTableState
    errors = state.errors
    return rx.form(
        rx.vstack(
            rx.flex(
                _field(
                    labelled_input(
                        "Search orders",
                        "search",
                        errors.get("search", ""),
                        placeholder="Order number, e-mail or name",
                        max_length=100,
                    ),
                    "340px",
                ),
                _field(
                    labelled_input(
                        "Customer tag",
                        "customer_tag",
                        errors.get("customer_tag", ""),
                        placeholder="wholesale",
                        max_length=40,
                    ),
                    "200px",
                ),
                _field(
                    rx.el.label(
                        rx.text("Status", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(aria_label="Status", width="100%"),
                            rx.select.content(
                                *(
                                    rx.select.item(choice.replace("_", " "), value=choice)
                                    for choice in STATUS_CHOICES
                                )
                            ),
                            value=state.status_filter,
                            on_change=state.choose_status,
                            size="3",
                        ),
                        display="flex",
                        flex_direction="column",
                        gap="4px",
                    ),
                    "200px",
                ),
                spacing="3",
                wrap="wrap",
                align="start",
            ),
            rx.flex(
                _field(
                    labelled_input(
                        "Placed from", "placed_from", errors.get("placed_from", ""), type="date"
                    ),
                    "185px",
                ),
                _field(
                    labelled_input(
                        "Placed to", "placed_to", errors.get("placed_to", ""), type="date"
                    ),
                    "185px",
                ),
                _field(_amount_input("Total from", "min_total"), "150px"),
                _field(_amount_input("Total up to", "max_total"), "150px"),
                rx.hstack(
                    rx.button("Search", type="submit", size="3"),
                    rx.button(
                        "Clear",
                        type="reset",
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.clear_filters,
                    ),
                    spacing="2",
                    padding_top="24px",  # level with the inputs under their labels
                ),
                spacing="3",
                wrap="wrap",
                align="start",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.apply_filters,
        reset_on_submit=False,
        width="100%",
    )


def orders_page() -> rx.Component:
    return admin_page(
        "Orders",
        rx.vstack(
            _filter_form(),
            rx.cond(
                OrdersTableState.customer_url != "",
                rx.callout(
                    rx.text(
                        "Showing the orders of one account (",
                        rx.link("open it", href=OrdersTableState.customer_url),
                        "). Clear removes this filter.",
                    ),
                    icon="user",
                    size="1",
                    role="status",
                ),
            ),
            rx.text(
                OrdersTableState.total,
                rx.cond(OrdersTableState.total == 1, " order", " orders"),
                color_scheme="gray",
                size="2",
            ),
            data_table(COLUMNS, OrdersTableState.rows, _row),
            pager(
                page=OrdersTableState.page,
                page_count=OrdersTableState.page_count,
                on_previous=OrdersTableState.previous_page,
                on_next=OrdersTableState.next_page,
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.ORDERS_VIEW,
    )
