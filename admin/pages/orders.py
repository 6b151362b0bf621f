"""Admin orders: a list filtered by status, search, placed dates, total and account, and
one order with the actions its state allows (ship, mark delivered, refund part or all,
cancel). Admins only: every handler is behind
the access guard, and every action goes through the order's transition table."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal, InvalidOperation

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminOnlyAreaState
from backend.audit.services import actor_label
from backend.checkout import cancellation
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.core.money import format_money
from backend.orders import fulfilment, status
from backend.orders import queries as order_queries
from backend.orders.filters import OrderFilters, parse_order_filters
from backend.payments import refunds as payment_refunds
from backend.payments.queries import get_order_with_payments
from ui.forms import labelled_input
from ui.order_view import OrderView, order_view
from ui.tables import data_table, pager

PAGE_SIZE = 25
STATUS_CHOICES = ["all", *status.ORDER_TRANSITIONS]
FILTER_FIELDS = ("search", "placed_from", "placed_to", "min_total", "max_total")


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


class OrdersTableState(AdminOnlyAreaState):
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
            rx.text(OrdersTableState.total, " orders", color_scheme="gray", size="2"),
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
        admins_only=True,
    )


class OrderAdminState(AdminOnlyAreaState):
    order: OrderView | None = None
    email: str = ""
    can_fulfil: bool = False
    can_deliver: bool = False
    can_refund: bool = False
    can_cancel: bool = False
    cancel_refunds: bool = False
    refundable: str = ""
    message: str = ""
    errors: dict[str, str] = {}

    _order_id: str = ""
    _number: str = ""

    async def _show(self) -> None:
        detail = await get_order_with_payments(self._number)
        self._order_id = str(detail.id)
        self.order = order_view(detail)
        self.email = detail.email
        self.can_fulfil = detail.status == "paid"
        self.can_deliver = detail.status == "fulfilled"
        left = detail.total - detail.refunded_amount
        self.can_refund = detail.payment_status in ("paid", "partially_refunded") and left > 0
        self.can_cancel = cancellation.staff_may_cancel(detail)
        self.cancel_refunds = cancellation.cancelling_refunds(detail)
        self.refundable = format_money(left, detail.currency)

    @rx.event
    async def load(self) -> None:
        self.message, self.errors, self.order = "", {}, None
        self._number = self.router.url.path.rstrip("/").rpartition("/")[2][:20].upper()
        try:
            await self._show()
        except NotFoundError:
            self.message = "There is no such order."

    async def _act(self, action: object, done: str) -> None:
        try:
            await action  # type: ignore[misc]
            self.message, self.errors = done, {}
        except DomainError as error:
            self.message = getattr(error, "message", str(error))
            self.errors = dict(getattr(error, "field_errors", {}) or {})
        await self._show()

    @rx.event
    async def fulfil(self, form_data: dict[str, str]) -> None:
        await self._act(
            fulfilment.fulfil_order(
                uuid.UUID(self._order_id),
                carrier=str(form_data.get("carrier") or "")[:200],
                tracking_number=str(form_data.get("tracking_number") or "")[:200],
                actor=self.staff_viewer,
            ),
            "Marked shipped; the customer is told.",
        )

    @rx.event
    async def deliver(self) -> None:
        await self._act(
            fulfilment.mark_delivered(uuid.UUID(self._order_id), actor=self.staff_viewer),
            "Marked delivered.",
        )

    @rx.event
    async def refund(self, form_data: dict[str, str]) -> None:
        raw = str(form_data.get("amount") or "").strip()[:20]
        try:
            amount = Decimal(raw) if raw else None
        except InvalidOperation:
            self.errors = {"amount": "Enter an amount such as 12.50, or leave it empty for all."}
            return
        await self._act(
            payment_refunds.refund_order(
                uuid.UUID(self._order_id),
                amount=amount,
                request_key=str(form_data.get("request_key") or uuid.uuid4().hex)[:64],
                actor=actor_label(self.viewer),
                by=self.viewer,
            ),
            "Refunded; the customer is told.",
        )

    @rx.event
    async def cancel(self) -> None:
        staff = self.viewer
        if staff is None:  # never the shopper's cancel from here (the guard requires admins)
            return
        await self._act(
            cancellation.cancel_order(uuid.UUID(self._order_id), by=staff),
            "Cancelled; the items are back in stock.",
        )


def order_actions() -> rx.Component:
    """Ship, deliver, refund, cancel: the order page's buttons, as the order allows."""
    state = OrderAdminState
    return rx.vstack(
        rx.cond(
            state.can_fulfil,
            rx.form(
                rx.vstack(
                    rx.heading("Ship", size="3", as_="h3"),
                    rx.hstack(
                        labelled_input("Carrier", "carrier", state.errors.get("carrier", "")),
                        labelled_input(
                            "Tracking number",
                            "tracking_number",
                            state.errors.get("tracking_number", ""),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    rx.button("Mark shipped", type="submit"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=state.fulfil,
                width="100%",
            ),
        ),
        rx.cond(state.can_deliver, rx.button("Mark delivered", on_click=state.deliver)),
        rx.cond(
            state.can_refund,
            rx.form(
                rx.vstack(
                    rx.heading("Refund", size="3", as_="h3"),
                    labelled_input(
                        "Amount",
                        "amount",
                        state.errors.get("amount", ""),
                        hint="Up to " + state.refundable + "; empty refunds all of it.",
                    ),
                    rx.button("Refund", type="submit", color_scheme="orange"),
                    spacing="2",
                ),
                on_submit=state.refund,
                max_width="360px",
            ),
        ),
        rx.cond(
            state.can_cancel,
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Cancel order", color_scheme="tomato", variant="soft")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Cancel this order?"),
                    rx.alert_dialog.description(
                        rx.cond(
                            state.cancel_refunds,
                            "What was paid is refunded in full and the items go back into stock.",
                            "The items go back into stock.",
                        )
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                        rx.alert_dialog.action(
                            rx.button("Cancel order", color_scheme="tomato", on_click=state.cancel)
                        ),
                        spacing="3",
                        justify="end",
                    ),
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
