"""One order in the admin: the order (`orders.py`), its next steps and its returns
(`returns.py`) on one page. Composed here so that neither of those imports the other's page."""

from __future__ import annotations

import reflex as rx

from admin.components.customer_remarks import customer_remarks
from admin.components.layout import admin_page
from admin.pages.order_actions import OrderAdminState, order_actions
from admin.pages.order_returns import order_returns_section
from backend.accounts.permissions import Permission
from ui.documents import documents_list
from ui.order_summary import order_summary, order_timeline
from ui.order_view import OrderView
from ui.test_mode import test_payment_badge


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
                            rx.cond(state.order.to(OrderView).test_payment, test_payment_badge()),
                            wrap="wrap",
                        ),
                        order_summary(
                            state.order.to(OrderView).lines,
                            state.order.to(OrderView).totals,
                            state.order.to(OrderView).total,
                        ),
                        documents_list(state.documents, waiting=False),
                        rx.heading("Ship to", size="3", as_="h3"),
                        rx.vstack(
                            rx.foreach(state.order.to(OrderView).address, rx.text), spacing="0"
                        ),
                        rx.cond(
                            state.ships_from.length() > 0,
                            rx.vstack(
                                rx.heading("Ships from", size="3", as_="h3"),
                                rx.foreach(
                                    state.ships_from,
                                    lambda line: rx.text(line, data_testid="ships-from"),
                                ),
                                spacing="1",
                            ),
                        ),
                        rx.heading("Timeline", size="3", as_="h3"),
                        order_timeline(state.order.to(OrderView).timeline),
                        spacing="2",
                        width="100%",
                    ),
                    rx.vstack(
                        order_actions(),
                        customer_remarks(link_to_customer=True),
                        order_returns_section(),
                        spacing="5",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="6",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.ORDERS_VIEW,
    )
