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
    build_api_schema,
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
from storefront.pages.collection import CollectionState, collection_page
from storefront.pages.gift_cards import (
    GiftCardBalanceState,
    GiftCardShopState,
    gift_card_balance_page,
    gift_card_shop_page,
)
from storefront.pages.home import HomeState, home_page
from storefront.pages.not_found import not_found_page
from storefront.pages.orders import (
    ConfirmPaymentState,
    OrderHistoryState,
    OrderState,
    PaymentLinkState,
    confirm_payment_page,
    order_history_page,
    order_lookup_page,
    order_page,
    payment_link_page,
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
from storefront.state import HeaderState, SavedProductsState
from ui.access import AccessGuard
from ui.live import relay_live_updates
from ui.shop_identity import ShopIdentityState, shop_title
from ui.sign_in import SignInState
from ui.theme import GLOBAL_STYLE
from webapp.event_metrics import instrument_reflex_events, instrument_websocket_connections
from webapp.telemetry import start_web_telemetry
from webapp.upload_guard import guard_uploads

settings = get_settings()
start_web_telemetry()  # log lines and traces, before the app below is built
instrument_reflex_events()  # each handler's duration, for /metrics
instrument_websocket_connections()


class ShopApp(rx.App):
    """Reflex's app; the ASGI app it assembles gets the shop's last touches
    (`api.app.complete_reflex_app`)."""

    def __call__(self) -> ASGIApp:
        return complete_reflex_app(super().__call__())


http_app = build_http_app()
app = ShopApp(
    style=GLOBAL_STYLE,
    # HTTP routes in front of Reflex's own; who may upload, decided before an upload's
    # body is read; request body limits (size, time); security headers around everything;
    # outermost, the access log (and each request's id for every line it logs).
    api_transformer=[
        http_app,
        guard_uploads,
        limit_request_bodies,
        add_cart_cookie,
        add_security_headers,
        log_requests,
    ],
    head_components=[rx.el.meta(name="theme-color", content="#0d9488")],
    # The text direction, said once: else the toast area (sonner) asks the browser for the
    # root's computed direction while the app first renders, a forced style recalculation
    # of the whole page (~30 ms on a laptop, more on a phone).
    html_custom_attrs={"dir": "ltr"},
)
# Runs before every event: resolves the session cookie and refuses what the viewer may not do.
app.add_middleware(AccessGuard(), index=0)
# Production fails closed: no serving while published demo passwords still sign in.
app.register_lifespan_task(production_start_checks)
# Open product, cart and order pages follow what changes (ui/live.py).
app.register_lifespan_task(relay_live_updates)

# (page, route, title, on_load): every storefront page in one table.
STOREFRONT_PAGES = (
    (home_page, "/", shop_title(), HomeState.load),
    (category_page, "/categories/[slug]", shop_title(CategoryState.tab_title), CategoryState.load),
    (
        collection_page,
        "/collections/[slug]",
        shop_title(CollectionState.tab_title),
        CollectionState.load,
    ),
    (search_page, "/search", shop_title(SearchState.tab_title), SearchState.load),
    (product_page, "/products/[product_id]", shop_title(ProductState.tab_title), ProductState.load),
    (sign_in_page, "/sign-in", shop_title("Sign in"), SignInState.load),
    (sign_up_page, "/sign-up", shop_title("Create an account"), SignUpState.reset_form),
    (
        forgot_password_page,
        "/forgot-password",
        shop_title("Forgot password"),
        ForgotPasswordState.reset_form,
    ),
    (reset_password_page, "/reset-password", shop_title("New password"), ResetPasswordState.load),
    (verify_email_page, "/verify-email", shop_title("Confirm your e-mail"), VerifyEmailState.load),
    (account_page, "/account", shop_title("Your account"), AccountState.load),
    (cart_page, "/cart", shop_title("Cart"), CartState.load),
    (restore_cart_page, "/cart/restore", shop_title("Your cart"), RestoreCartState.load),
    (
        unsubscribe_page,
        "/cart-reminders/unsubscribe",
        shop_title("Cart reminders"),
        UnsubscribeState.load,
    ),
    (checkout_page, "/checkout", shop_title("Checkout"), CheckoutState.load),
    (
        confirm_payment_page,
        "/checkout/confirm",
        shop_title("Confirm payment"),
        ConfirmPaymentState.load,
    ),
    (order_lookup_page, "/orders/lookup", shop_title("Find your order"), None),
    (payment_link_page, "/pay", shop_title("Pay for your order"), PaymentLinkState.load),
    (
        order_page,
        "/orders/[number]",
        shop_title("Order"),
        [OrderState.load, OrderReturnsState.load],
    ),
    (return_form_page, "/orders/[number]/return", shop_title("Return items"), ReturnFormState.load),
    (order_history_page, "/account/orders", shop_title("Your orders"), OrderHistoryState.load),
    (wishlist_page, "/account/wishlist", shop_title("Your wishlist"), WishlistState.load),
    (
        shared_wishlist_page,
        "/wishlists/[token]",
        shop_title("A shared wishlist"),
        SharedWishlistState.load,
    ),
    (
        confirm_notice_page,
        "/stock-notices/confirm",
        shop_title("Back-in-stock notice"),
        StockNoticeLinkState.load_confirm,
    ),
    (
        cancel_notice_page,
        "/stock-notices/cancel",
        shop_title("Back-in-stock notice"),
        StockNoticeLinkState.load_cancel,
    ),
    (gift_card_shop_page, "/gift-cards", shop_title("Gift cards"), GiftCardShopState.load),
    (
        gift_card_balance_page,
        "/gift-cards/balance",
        shop_title("Gift card balance"),
        GiftCardBalanceState.load,
    ),
    (not_found_page, "404", shop_title("Page not found"), None),
)
# Pages showing product cards or a product: the viewer's saved ids load once per page (for
# guests the access guard refuses the load, which costs no query).
PAGES_WITH_SAVE_TOGGLES = {
    "/",
    "/categories/[slug]",
    "/collections/[slug]",
    "/search",
    "/products/[product_id]",
}
for page, route, title, on_load in STOREFRONT_PAGES:
    app.add_page(
        page,
        route=route,
        title=title,
        description="Everyday goods, chosen with care.",
        on_load=[
            HeaderState.load_cart_count,
            ShopIdentityState.load,
            *(on_load if isinstance(on_load, list) else [on_load] if on_load else []),
            *([SavedProductsState.load] if route in PAGES_WITH_SAVE_TOGGLES else []),
        ],
    )

register_admin_pages(app)
build_api_schema(http_app)
freeze_startup_objects()  # the last line: the web process is built
