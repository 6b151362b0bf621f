"""Admin orders: a filterable list, and one order with the actions its state allows
(ship, mark delivered, refund part or all, cancel). Admins only: every handler is behind
the access guard, and every action goes through the order's transition table."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal, InvalidOperation

import reflex as rx

from admin.components.layout import admin_page
from admin.components.tables import data_table, pager
from admin.state import AdminOnlyAreaState
from backend.audit.services import actor_label
from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.orders import fulfilment, status
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.payments import services as payments
from storefront.components.forms import labelled_input
from storefront.components.order_summary import order_summary, order_timeline
from storefront.pages.orders import OrderView, order_view

PAGE_SIZE = 25
STATUS_CHOICES = ["all", *status.ORDER_TRANSITIONS]


@dataclasses.dataclass(frozen=True)
class OrderRow:
    number: str
    url: str
    placed_at: str
    customer: str
    status: str
    payment: str
    total: str


class OrdersTableState(AdminOnlyAreaState):
    rows: list[OrderRow] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    status_filter: str = "all"
    search: str = ""

    async def _load_page(self, page: int) -> None:
        result = await order_queries.list_all_orders(
            status_filter=None if self.status_filter == "all" else self.status_filter,
            search=self.search,
            page=page,
            limit=PAGE_SIZE,
        )
        self.rows = [
            OrderRow(
                number=o.number,
                url=f"/admin/orders/{o.number}",
                placed_at=o.created_at.strftime("%d %b %Y %H:%M"),
                customer=f"{o.customer_name} <{o.email}>",
                status=status.label(o.status),
                payment=status.label(o.payment_status),
                total=format_money(o.total, o.currency),
            )
            for o in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        await self._load_page(1)

    @rx.event
    async def filter_status(self, value: str) -> None:
        self.status_filter = value if value in STATUS_CHOICES else "all"
        await self._load_page(1)

    @rx.event
    async def search_orders(self, form_data: dict[str, str]) -> None:
        self.search = str(form_data.get("search") or "").strip()[:100]
        await self._load_page(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))


def _row(row: rx.Var[OrderRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.number, href=row.url)),
        rx.table.cell(row.placed_at),
        rx.table.cell(row.customer),
        rx.table.cell(row.status),
        rx.table.cell(row.payment),
        rx.table.cell(row.total, text_align="right"),
    )


COLUMNS = ("Order", "Placed", "Customer", "Status", "Payment", ("Total", "right"))


def orders_page() -> rx.Component:
    return admin_page(
        "Orders",
        rx.vstack(
            rx.hstack(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="search",
                            placeholder="Order number, e-mail or name",
                            aria_label="Search orders",
                            width="280px",
                        ),
                        rx.button("Search", type="submit", variant="soft"),
                    ),
                    on_submit=OrdersTableState.search_orders,
                    reset_on_submit=False,
                ),
                rx.select.root(
                    rx.select.trigger(aria_label="Status"),
                    rx.select.content(
                        *(
                            rx.select.item(choice.replace("_", " "), value=choice)
                            for choice in STATUS_CHOICES
                        )
                    ),
                    value=OrdersTableState.status_filter,
                    on_change=OrdersTableState.filter_status,
                ),
                spacing="3",
                wrap="wrap",
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
    can_cancel_paid: bool = False
    refundable: str = ""
    message: str = ""
    errors: dict[str, str] = {}

    _order_id: str = ""
    _number: str = ""

    async def _show(self) -> None:
        detail = await order_queries.get_order(self._number)
        self._order_id = str(detail.id)
        self.order = order_view(detail)
        self.email = detail.email
        self.can_fulfil = detail.status == "paid"
        self.can_deliver = detail.status == "fulfilled"
        left = detail.total - detail.refunded_amount
        self.can_refund = detail.payment_status in ("paid", "partially_refunded") and left > 0
        self.can_cancel_paid = detail.status == "paid"
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
                actor=self.viewer,  # type: ignore[arg-type]
            ),
            "Marked shipped; the customer is told.",
        )

    @rx.event
    async def deliver(self) -> None:
        await self._act(
            fulfilment.mark_delivered(uuid.UUID(self._order_id), actor=self.viewer),  # type: ignore[arg-type]
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
            payments.refund_order(
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
        if self.can_cancel_paid:
            action = fulfilment.cancel_paid_order(
                uuid.UUID(self._order_id),
                request_key=f"cancel-{self._order_id}",
                actor=self.viewer,  # type: ignore[arg-type]
            )
        else:
            action = orders.cancel_unpaid_order(uuid.UUID(self._order_id), by=self.viewer)
        await self._act(action, "Cancelled; the items are back in stock.")


def _actions() -> rx.Component:
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
            state.order.to(OrderView).can_cancel | state.can_cancel_paid,
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Cancel order", color_scheme="tomato", variant="soft")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Cancel this order?"),
                    rx.alert_dialog.description(
                        rx.cond(
                            state.can_cancel_paid,
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


def order_admin_page() -> rx.Component:
    state = OrderAdminState
    return admin_page(
        "Order",
        rx.vstack(
            rx.link("← All orders", href="/admin/orders", size="2"),
            rx.cond(state.message != "", rx.callout(state.message, role="status")),
            rx.cond(
                state.order,
                rx.grid(
                    rx.vstack(
                        rx.heading("Order ", state.order.to(OrderView).number, size="6", as_="h2"),
                        rx.text(state.email, color_scheme="gray"),
                        rx.hstack(
                            rx.badge(
                                "Order: " + state.order.to(OrderView).status,
                                data_testid="order-status",
                            ),
                            rx.badge(
                                "Payment: " + state.order.to(OrderView).payment_status,
                                color_scheme="gray",
                            ),
                        ),
                        order_summary(
                            state.order.to(OrderView).lines,
                            state.order.to(OrderView).totals,
                            state.order.to(OrderView).total,
                        ),
                        rx.heading("Ship to", size="3", as_="h3"),
                        rx.vstack(
                            rx.foreach(state.order.to(OrderView).address, rx.text), spacing="0"
                        ),
                        rx.heading("Timeline", size="3", as_="h3"),
                        order_timeline(state.order.to(OrderView).timeline),
                        spacing="2",
                        width="100%",
                    ),
                    _actions(),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="6",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        admins_only=True,
    )
