"""Order pages: one order with its timeline (confirmation too), a shopper's order history,
the guest lookup by e-mail and order number, the payment confirmation step, and the
payment links staff send for orders they took.

Who may see an order is decided on the server (`order_queries.may_view`): its signed-in
owner, or the browser tab that placed it or looked it up with the order's e-mail address.
The services check the same again before they pay, confirm or cancel an order.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import reflex as rx

from backend.checkout import cancellation
from backend.checkout import services as checkout
from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.live.topics import order_topic
from backend.orders import lookup as order_lookup
from backend.orders import queries as order_queries
from backend.orders import reorder, status
from backend.payments import links as payment_links
from backend.payments.queries import OrderWithPayments, get_order_with_payments
from backend.settings import get_settings
from storefront.components.layout import shop_page
from storefront.pages.returns import returns_panel
from ui.access import PublicState, SessionState, SignedInState
from ui.documents import DocumentLink, document_links, documents_list
from ui.forms import form_alert, labelled_input
from ui.live import watch
from ui.order_summary import order_summary, order_timeline
from ui.order_view import OrderView, display_time, order_view
from ui.test_mode import test_payment_badge

MAX_NUMBER_LENGTH = 20


async def viewable_order(state: SessionState, number: str) -> OrderWithPayments | None:
    """The order if this tab's viewer may see it (`order_queries.may_view`), else None."""
    try:
        detail = await get_order_with_payments(number)
    except NotFoundError:
        return None
    return detail if order_queries.may_view(detail, state._shopper()) else None


def _number_from_path(path: str) -> str:
    return path.rstrip("/").rpartition("/")[2][:MAX_NUMBER_LENGTH].upper()


class OrderState(PublicState):
    order: OrderView | None = None
    missing: bool = False
    just_placed: bool = False
    message: str = ""
    paying: bool = False
    documents: list[DocumentLink] = []
    invoice_pending: bool = False  # paid, its invoice not written yet

    async def _load(self, number: str) -> OrderWithPayments | None:
        return await viewable_order(self, number)

    async def _show(self, number: str) -> OrderWithPayments | None:
        detail = await self._load(number)
        self.order = order_view(detail) if detail else None
        self.missing = detail is None
        self.documents = await document_links(detail.id) if detail else []
        self.invoice_pending = (
            detail is not None and detail.payment_status == "paid" and not self.documents
        )
        # Paid, shipped, cancelled or refunded while open: the timeline moves, live. (Only
        # an order this viewer may see is watched; a refresh checks that again.)
        watch(self, [order_topic(detail.number)] if detail else [])
        return detail

    async def _refresh_live(self) -> None:
        if self.order is not None:
            await self._show(self.order.number)

    @rx.event
    async def load(self) -> None:
        self.message, self.paying = "", False
        self.just_placed = self.router.url.query_parameters.get("placed") == "1"
        await self._show(_number_from_path(self.router.url.path))

    @rx.event
    async def cancel(self) -> None:
        if self.order is None:
            return
        detail = await self._load(self.order.number)
        if detail is None:
            return
        try:
            await cancellation.cancel_order(detail.id, shopper=self._shopper())  # while unpaid
            self.message = "Your order is cancelled."
        except DomainError as error:
            self.message = error.message
        await self._show(detail.number)

    @rx.event
    async def buy_again(self) -> rx.event.EventSpec | None:
        """This order's products back in this tab's cart, at today's prices."""
        if self.order is None:
            return None
        detail = await self._load(self.order.number)
        owner = self._cart_owner()
        if detail is None or owner is None:
            return None
        result = await reorder.buy_again(detail, owner)
        if result.added and not result.unavailable:
            return rx.redirect("/cart")
        missing = ", ".join(result.unavailable)
        self.message = (
            f"Added to your cart; no longer available: {missing}."
            if result.added
            else f"None of these products can be bought now ({missing})."
        )
        return None

    @rx.event
    async def pay(self, form_data: dict[str, str]) -> AsyncIterator[rx.event.EventSpec | None]:
        if self.order is None or self.paying:
            return
        detail = await self._load(self.order.number)
        if detail is None:
            return
        self.paying = True
        yield
        try:
            outcome = await checkout.pay_order(
                detail.id,
                shopper=self._shopper(),
                payment_method=str(form_data.get("card_number") or "")[:40],
                attempt_key=uuid.uuid4().hex,
            )
            self.message = outcome.message
        except DomainError as error:
            outcome, self.message = None, error.message
        self.paying = False
        await self._show(detail.number)
        if outcome is not None and outcome.status == "requires_action":
            yield rx.redirect(f"/checkout/confirm?order={detail.number}")


def _order_details(order: rx.Var[OrderView]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("Order: " + order.status, size="2", data_testid="order-status"),
            rx.badge("Payment: " + order.payment_status, size="2", color_scheme="gray"),
            rx.cond(order.test_payment, test_payment_badge()),
            wrap="wrap",
        ),
        rx.text("Placed ", order.placed_at, color_scheme="gray", size="2"),
        order_summary(order.lines, order.totals, order.total),
        documents_list(OrderState.documents, waiting=OrderState.invoice_pending),
        rx.heading("Shipping to", size="4", as_="h2"),
        rx.vstack(rx.foreach(order.address, rx.text), spacing="0"),
        rx.heading("Timeline", size="4", as_="h2"),
        order_timeline(order.timeline),
        rx.cond(
            order.awaiting_confirmation,
            rx.link("Confirm your payment", href="/checkout/confirm?order=" + order.number),
        ),
        rx.cond(
            order.can_pay,
            rx.form(
                rx.vstack(
                    labelled_input(
                        "Card number",
                        "card_number",
                        hint=(
                            "Test payments: try 4242 4242 4242 4242."
                            if get_settings().test_payments
                            else ""
                        ),
                        auto_complete="cc-number",
                        input_mode="numeric",
                    ),
                    rx.button(
                        rx.cond(OrderState.paying, "Paying…", "Pay " + order.amount_due),
                        type="submit",
                        disabled=OrderState.paying,
                    ),
                    spacing="2",
                ),
                on_submit=OrderState.pay,
                reset_on_submit=False,
                max_width="420px",
                width="100%",
            ),
        ),
        rx.cond(
            order.can_cancel,
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Cancel order", variant="soft", color_scheme="tomato")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Cancel this order?"),
                    rx.alert_dialog.description("Its items go back on sale."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                        rx.alert_dialog.action(
                            rx.button(
                                "Cancel order", color_scheme="tomato", on_click=OrderState.cancel
                            )
                        ),
                        spacing="3",
                        justify="end",
                    ),
                ),
            ),
        ),
        spacing="3",
        width="100%",
        max_width="640px",
    )


def order_page() -> rx.Component:
    return shop_page(
        rx.cond(
            OrderState.order,
            rx.vstack(
                rx.cond(
                    OrderState.just_placed,
                    rx.callout(
                        "Thank you! Your order is placed; a confirmation is on its way by e-mail.",
                        icon="circle-check",
                        color_scheme="grass",
                        role="status",
                    ),
                ),
                rx.heading("Order ", OrderState.order.to(OrderView).number, size="7", as_="h1"),
                rx.cond(OrderState.message != "", rx.callout(OrderState.message, role="status")),
                _order_details(OrderState.order.to(OrderView)),
                returns_panel(),
                rx.hstack(
                    rx.button(
                        rx.icon("rotate-ccw", size=16),
                        "Buy again",
                        variant="soft",
                        on_click=OrderState.buy_again,
                    ),
                    rx.link("Go to your cart", href="/cart", size="2"),
                    align="center",
                    spacing="4",
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                OrderState.missing,
                rx.vstack(
                    rx.heading("Order not found", size="7", as_="h1"),
                    rx.text(
                        "Sign in to see your orders, or look an order up with its number and "
                        "your e-mail address."
                    ),
                    rx.link("Look up an order", href="/orders/lookup"),
                ),
            ),
        )
    )


class OrderLookupState(PublicState):
    message: str = ""

    @rx.event
    async def look_up(self, form_data: dict[str, str]) -> rx.event.EventSpec | None:
        number = str(form_data.get("number") or "").strip().upper()[:MAX_NUMBER_LENGTH]
        email = str(form_data.get("email") or "").strip()[:255]
        try:
            found = await order_lookup.look_up_order(email, number, asker=self.client_address)
        except DomainError as error:  # not found, or too many tries from this address
            self.message = error.message
            return None
        self.message = ""
        self._unlock_order(found)
        return rx.redirect(f"/orders/{number}")


def order_lookup_page() -> rx.Component:
    return shop_page(
        rx.form(
            rx.vstack(
                rx.heading("Find your order", size="7", as_="h1"),
                form_alert(OrderLookupState.message),
                labelled_input("Order number", "number", placeholder="KG-XXXX-XXXX"),
                labelled_input("E-mail address", "email", type="email", auto_complete="email"),
                rx.button("Find order", type="submit", size="3"),
                spacing="3",
                max_width="420px",
                width="100%",
            ),
            on_submit=OrderLookupState.look_up,
            reset_on_submit=False,
        )
    )


@dataclasses.dataclass(frozen=True)
class OrderRow:
    number: str
    url: str
    placed_at: str
    status: str
    item_count: str
    total: str


class OrderHistoryState(SignedInState):
    rows: list[OrderRow] = []
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        viewer = self.viewer
        if viewer is None:
            return
        page = await order_queries.list_orders(viewer.user_id, limit=50)
        self.rows = [
            OrderRow(
                o.number,
                f"/orders/{o.number}",
                display_time(o.created_at),
                status.label(o.status),
                str(o.item_count),
                format_money(o.total, o.currency),
            )
            for o in page.items
        ]
        self.loaded = True


def order_history_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Your orders", size="7", as_="h1"),
            rx.cond(
                SignedInState.signed_in,
                rx.cond(
                    OrderHistoryState.loaded & (OrderHistoryState.rows.length() == 0),
                    rx.text("No orders yet."),
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Order"),
                                rx.table.column_header_cell("Placed"),
                                rx.table.column_header_cell("Status"),
                                rx.table.column_header_cell("Items"),
                                rx.table.column_header_cell("Total"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                OrderHistoryState.rows,
                                lambda row: rx.table.row(
                                    rx.table.cell(rx.link(row.number, href=row.url)),
                                    rx.table.cell(row.placed_at),
                                    rx.table.cell(row.status),
                                    rx.table.cell(row.item_count),
                                    rx.table.cell(row.total),
                                ),
                            )
                        ),
                        width="100%",
                    ),
                ),
                rx.link("Sign in to see your orders", href="/sign-in?next=/account/orders"),
            ),
            spacing="4",
            width="100%",
        )
    )


class ConfirmPaymentState(PublicState):
    """The built-in test gateway's stand-in for a bank's 3-D Secure page."""

    number: str = ""
    amount: str = ""
    ready: bool = False
    message: str = ""

    async def _order(self) -> OrderWithPayments | None:
        detail = await viewable_order(self, self.number)
        return detail if detail is not None and detail.awaiting_confirmation else None

    @rx.event
    async def load(self) -> None:
        order = self.router.url.query_parameters.get("order") or ""
        self.number = str(order)[:MAX_NUMBER_LENGTH].upper()
        detail = await self._order()
        self.ready = detail is not None
        self.amount = format_money(detail.total, detail.currency) if detail else ""
        self.message = "" if detail else "There is no payment waiting for confirmation."

    @rx.event
    async def answer(self, approve: bool) -> rx.event.EventSpec | None:
        detail = await self._order()
        if detail is None:
            self.ready, self.message = False, "There is no payment waiting for confirmation."
            return None
        try:
            await checkout.confirm_payment(
                detail.id, shopper=self._shopper(), approve=bool(approve)
            )
        except DomainError as error:
            self.message = error.message
            return None
        return rx.redirect(f"/orders/{detail.number}" + ("?placed=1" if approve else ""))


def confirm_payment_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Confirm your payment", size="7", as_="h1"),
            form_alert(ConfirmPaymentState.message),
            rx.cond(
                ConfirmPaymentState.ready,
                rx.vstack(
                    rx.text(
                        "Your bank asks you to confirm the payment of ",
                        ConfirmPaymentState.amount,
                        " for order ",
                        ConfirmPaymentState.number,
                        ".",
                    ),
                    rx.text(
                        "(Test gateway: this page stands in for your bank's.)",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.hstack(
                        rx.button("Confirm payment", on_click=ConfirmPaymentState.answer(True)),
                        rx.button(
                            "Decline",
                            variant="soft",
                            color_scheme="tomato",
                            on_click=ConfirmPaymentState.answer(False),
                        ),
                        spacing="3",
                    ),
                    spacing="3",
                ),
            ),
            spacing="4",
            max_width="560px",
        )
    )


class PaymentLinkState(PublicState):
    """A payment link staff e-mailed: it opens the order in this tab, where the normal
    payment form takes the card (the link is the customer's proof, as a lookup is)."""

    message: str = ""

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        token = str(self.router.url.query_parameters.get("token") or "")
        try:
            linked = await payment_links.open_payment_link(token)
        except DomainError as error:
            self.message = error.message
            return None
        self.message = ""
        self._unlock_order(linked.id)
        return rx.redirect(f"/orders/{linked.number}")


def payment_link_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Pay for your order", size="7", as_="h1"),
            rx.cond(
                PaymentLinkState.message != "",
                rx.vstack(
                    form_alert(PaymentLinkState.message),
                    rx.link("Look up an order", href="/orders/lookup"),
                    spacing="3",
                ),
                rx.text("Opening your order…"),
            ),
            spacing="4",
            max_width="520px",
            width="100%",
        )
    )
