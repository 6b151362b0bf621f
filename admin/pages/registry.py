"""Every admin page and its route, registered on the app in one place."""

from __future__ import annotations

import reflex as rx

from admin.pages.accounts import AccountsState, accounts_page
from admin.pages.analytics import AnalyticsState, analytics_page
from admin.pages.audit import AuditState, audit_page
from admin.pages.discounts import DiscountsState, discounts_page
from admin.pages.inventory import InventoryState, inventory_page
from admin.pages.messages import MessagesState, messages_page
from admin.pages.orders import OrderAdminState, OrdersTableState, order_admin_page, orders_page
from admin.pages.overview import OverviewState, SalesState, overview_page
from admin.pages.products import ProductsTableState, products_page
from storefront.pages.sign_in import SignInState

ADMIN_TITLE = "Admin"


def register_admin_pages(app: rx.App) -> None:
    # SignInState.load shows a failed sign-in's message on the gate; the page's own load
    # is refused by the access guard for anyone who is not staff.
    app.add_page(
        overview_page,
        route="/admin",
        title=f"Overview · {ADMIN_TITLE}",
        # The sales figures are for admins: their load is refused for moderators (and the
        # section is not shown to them).
        on_load=[SignInState.load, OverviewState.load, SalesState.load],
    )
    app.add_page(
        products_page,
        route="/admin/products",
        title=f"Products · {ADMIN_TITLE}",
        on_load=[SignInState.load, ProductsTableState.load],
    )
    app.add_page(
        inventory_page,
        route="/admin/inventory",
        title=f"Inventory · {ADMIN_TITLE}",
        on_load=[SignInState.load, InventoryState.load],
    )
    app.add_page(
        orders_page,
        route="/admin/orders",
        title=f"Orders · {ADMIN_TITLE}",
        on_load=[SignInState.load, OrdersTableState.load],
    )
    app.add_page(
        order_admin_page,
        route="/admin/orders/[number]",
        title=f"Order · {ADMIN_TITLE}",
        on_load=[SignInState.load, OrderAdminState.load],
    )
    app.add_page(
        discounts_page,
        route="/admin/discounts",
        title=f"Discount codes · {ADMIN_TITLE}",
        on_load=[SignInState.load, DiscountsState.load],
    )
    app.add_page(
        messages_page,
        route="/admin/messages",
        title=f"Messages · {ADMIN_TITLE}",
        on_load=[SignInState.load, MessagesState.load],
    )
    app.add_page(
        analytics_page,
        route="/admin/analytics",
        title=f"Analytics · {ADMIN_TITLE}",
        on_load=[SignInState.load, AnalyticsState.load],
    )
    app.add_page(
        audit_page,
        route="/admin/audit",
        title=f"Audit log · {ADMIN_TITLE}",
        on_load=[SignInState.load, AuditState.load],
    )
    app.add_page(
        accounts_page,
        route="/admin/accounts",
        title=f"Accounts · {ADMIN_TITLE}",
        on_load=[SignInState.load, AccountsState.load],
    )
