"""The Reflex app: storefront pages at /, the admin dashboard at /admin, HTTP routes in front.

This module is the composition root named by `rxconfig.py`; it only wires things together,
and it is the one place that imports both UIs (`storefront`, `admin`): the import contracts
in pyproject.toml keep it so.
"""

from __future__ import annotations

import reflex as rx
from starlette.types import ASGIApp

from admin.pages.registry import register_admin_pages
from api.access_log import log_requests
from api.app import (
    build_http_app,
    complete_reflex_app,
    freeze_startup_objects,
    production_start_checks,
)
from api.cart_cookie import add_cart_cookie
from api.request_limits import limit_request_bodies
from api.security_headers import add_security_headers
from backend.settings import get_settings
from storefront.pages.account import AccountState
from storefront.pages.account_view import account_page
from storefront.pages.cart import CartState, cart_page
from storefront.pages.cart_recovery import (
    RestoreCartState,
    UnsubscribeState,
    restore_cart_page,
    unsubscribe_page,
)
from storefront.pages.category import CategoryState, category_page
from storefront.pages.checkout import CheckoutState
from storefront.pages.checkout_view import checkout_page
from storefront.pages.home import HomeState, home_page
from storefront.pages.not_found import not_found_page
from storefront.pages.orders import (
    ConfirmPaymentState,
    OrderHistoryState,
    OrderState,
    confirm_payment_page,
    order_history_page,
    order_lookup_page,
    order_page,
)
from storefront.pages.password_reset import (
    ForgotPasswordState,
    ResetPasswordState,
    forgot_password_page,
    reset_password_page,
)
from storefront.pages.product import ProductState, product_page
from storefront.pages.returns import OrderReturnsState, ReturnFormState, return_form_page
from storefront.pages.search import SearchState, search_page
from storefront.pages.sign_in_page import sign_in_page
from storefront.pages.sign_up import SignUpState, sign_up_page
from storefront.pages.stock_notices import (
    StockNoticeLinkState,
    cancel_notice_page,
    confirm_notice_page,
)
from storefront.pages.verify_email import VerifyEmailState, verify_email_page
from storefront.pages.wishlist import (
    SharedWishlistState,
    WishlistState,
    shared_wishlist_page,
    wishlist_page,
)
from storefront.state import FooterState, HeaderState, SavedProductsState
from ui.access import AccessGuard
from ui.live import relay_live_updates
from ui.sign_in import SignInState
from ui.theme import GLOBAL_STYLE
from webapp.event_metrics import instrument_reflex_events, instrument_websocket_connections
from webapp.telemetry import start_web_telemetry
from webapp.upload_guard import guard_uploads

settings = get_settings()
shop = settings.shop_name
start_web_telemetry()  # log lines and traces, before the app below is built
instrument_reflex_events()  # each handler's duration, for /metrics
instrument_websocket_connections()


class ShopApp(rx.App):
    """Reflex's app; the ASGI app it assembles gets the shop's last touches
    (`api.app.complete_reflex_app`)."""

    def __call__(self) -> ASGIApp:
        return complete_reflex_app(super().__call__())


app = ShopApp(
    style=GLOBAL_STYLE,
    # HTTP routes in front of Reflex's own; who may upload, decided before an upload's
    # body is read; request body limits (size, time); security headers around everything;
    # outermost, the access log (and each request's id for every line it logs).
    api_transformer=[
        build_http_app(),
        guard_uploads,
        limit_request_bodies,
        add_cart_cookie,
        add_security_headers,
        log_requests,
    ],
    head_components=[rx.el.meta(name="theme-color", content="#0d9488")],
)
# Runs before every event: resolves the session cookie and refuses what the viewer may not do.
app.add_middleware(AccessGuard(), index=0)
# Production fails closed: no serving while published demo passwords still sign in.
app.register_lifespan_task(production_start_checks)
# Open product, cart and order pages follow what changes (ui/live.py).
app.register_lifespan_task(relay_live_updates)

# (page, route, title, on_load): every storefront page in one table.
STOREFRONT_PAGES = (
    (home_page, "/", shop, HomeState.load),
    (category_page, "/categories/[slug]", CategoryState.tab_title, CategoryState.load),
    (search_page, "/search", SearchState.tab_title, SearchState.load),
    (product_page, "/products/[product_id]", ProductState.tab_title, ProductState.load),
    (sign_in_page, "/sign-in", f"Sign in · {shop}", SignInState.load),
    (sign_up_page, "/sign-up", f"Create an account · {shop}", SignUpState.reset_form),
    (
        forgot_password_page,
        "/forgot-password",
        f"Forgot password · {shop}",
        ForgotPasswordState.reset_form,
    ),
    (reset_password_page, "/reset-password", f"New password · {shop}", ResetPasswordState.load),
    (verify_email_page, "/verify-email", f"Confirm your e-mail · {shop}", VerifyEmailState.load),
    (account_page, "/account", f"Your account · {shop}", AccountState.load),
    (cart_page, "/cart", f"Cart · {shop}", CartState.load),
    (restore_cart_page, "/cart/restore", f"Your cart · {shop}", RestoreCartState.load),
    (
        unsubscribe_page,
        "/cart-reminders/unsubscribe",
        f"Cart reminders · {shop}",
        UnsubscribeState.load,
    ),
    (checkout_page, "/checkout", f"Checkout · {shop}", CheckoutState.load),
    (
        confirm_payment_page,
        "/checkout/confirm",
        f"Confirm payment · {shop}",
        ConfirmPaymentState.load,
    ),
    (order_lookup_page, "/orders/lookup", f"Find your order · {shop}", None),
    (order_page, "/orders/[number]", f"Order · {shop}", [OrderState.load, OrderReturnsState.load]),
    (return_form_page, "/orders/[number]/return", f"Return items · {shop}", ReturnFormState.load),
    (order_history_page, "/account/orders", f"Your orders · {shop}", OrderHistoryState.load),
    (wishlist_page, "/account/wishlist", f"Your wishlist · {shop}", WishlistState.load),
    (
        shared_wishlist_page,
        "/wishlists/[token]",
        f"A shared wishlist · {shop}",
        SharedWishlistState.load,
    ),
    (
        confirm_notice_page,
        "/stock-notices/confirm",
        f"Back-in-stock notice · {shop}",
        StockNoticeLinkState.load_confirm,
    ),
    (
        cancel_notice_page,
        "/stock-notices/cancel",
        f"Back-in-stock notice · {shop}",
        StockNoticeLinkState.load_cancel,
    ),
    (not_found_page, "404", f"Page not found · {shop}", None),
)
# Pages showing product cards or a product: the viewer's saved ids load once per page (for
# guests the access guard refuses the load, which costs no query).
PAGES_WITH_SAVE_TOGGLES = {"/", "/categories/[slug]", "/search", "/products/[product_id]"}
for page, route, title, on_load in STOREFRONT_PAGES:
    app.add_page(
        page,
        route=route,
        title=title,
        description=f"{shop}: everyday goods, chosen with care.",
        on_load=[
            HeaderState.load_cart_count,
            FooterState.load,
            *(on_load if isinstance(on_load, list) else [on_load] if on_load else []),
            *([SavedProductsState.load] if route in PAGES_WITH_SAVE_TOGGLES else []),
        ],
    )

register_admin_pages(app)
freeze_startup_objects()  # the last line: the web process is built
