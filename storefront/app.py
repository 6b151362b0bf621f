"""The Reflex app: storefront pages at /, the admin dashboard at /admin, HTTP routes in front.

This module is the composition root named by `rxconfig.py`; it only wires things together.
"""

from __future__ import annotations

import reflex as rx

from admin.pages.registry import register_admin_pages
from api.app import build_http_app
from backend.settings import get_settings
from storefront.access import AccessGuard
from storefront.pages.cart import cart_page
from storefront.pages.home import HomeState, home_page
from storefront.pages.listing import ListingState, listing_page
from storefront.pages.not_found import not_found_page
from storefront.pages.product import ProductState, product_page
from storefront.pages.sign_in import SignInState, sign_in_page
from storefront.pages.verify_email import VerifyEmailState, verify_email_page
from storefront.theme import GLOBAL_STYLE

settings = get_settings()
shop = settings.shop_name

app = rx.App(
    style=GLOBAL_STYLE,
    api_transformer=build_http_app(),
    head_components=[rx.el.meta(name="theme-color", content="#0d9488")],
)
# Runs before every event: resolves the session cookie and refuses what the viewer may not do.
app.add_middleware(AccessGuard(), index=0)

app.add_page(
    home_page,
    route="/",
    title=shop,
    description=f"{shop}: everyday goods, chosen with care.",
    on_load=HomeState.load,
)
app.add_page(
    listing_page,
    route="/categories/[slug]",
    title=f"Category · {shop}",
    on_load=ListingState.load_category,
)
app.add_page(
    listing_page, route="/search", title=f"Search · {shop}", on_load=ListingState.load_search
)
app.add_page(
    product_page,
    route="/products/[product_id]",
    title=f"Product · {shop}",
    on_load=ProductState.load,
)
app.add_page(sign_in_page, route="/sign-in", title=f"Sign in · {shop}", on_load=SignInState.load)
app.add_page(
    verify_email_page,
    route="/verify-email",
    title=f"Confirm your e-mail · {shop}",
    on_load=VerifyEmailState.load,
)
app.add_page(cart_page, route="/cart", title=f"Cart · {shop}")
app.add_page(not_found_page, route="404", title=f"Page not found · {shop}")

register_admin_pages(app)
