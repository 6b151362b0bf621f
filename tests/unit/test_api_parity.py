"""Headless parity: every domain function the storefront's and the admin's pages call is
reachable through the REST API, or is on the list below with the reason it need not be.

Found by reading the code (no app is started): the calls from `storefront/`, `admin/` and
`ui/` into `backend`, against every use of a `backend` function in `api/`. A new page that
calls a service the API lacks fails here, naming it; so does a reason that no longer
applies (the API gained a route for it, or no page calls it any more).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import cache

from devstack.services import PROJECT_ROOT

UI_FOLDERS = ("storefront", "admin", "ui")
API_FOLDERS = ("api",)

# --- why these need no route ---------------------------------------------------------------
DISPLAY = "formats a value for a page; the API answers the value itself"
BROWSER = "the browser session's plumbing (cookie sessions, live updates, form state, traces)"
PAGE_WIDGET = "a helper of one admin form's widget; the API takes the chosen ids directly"


def same_as(route: str) -> str:
    return f"the API answers the same through {route}"


NOT_IN_THE_API: dict[str, str] = {
    # display
    "backend.catalog.ratings.stars_text": DISPLAY,
    "backend.core.clock.moment_from_wall_clock": DISPLAY,
    "backend.core.clock.wall_clock_text": DISPLAY,
    "backend.core.money.display_locale_label": DISPLAY,
    "backend.giftcards.codes.masked": DISPLAY,
    "backend.orders.status.label": DISPLAY,
    "backend.merchandising.promotions.multibuy_of": DISPLAY,
    "backend.orders.queries.shipping_note": DISPLAY + " (GET /shipping/methods has the prices)",
    "backend.payments.gateway.offered_test_cards": DISPLAY + " (the test cards, in test mode)",
    "backend.core.regions.country_from_accept_language": "the checkout form's default country",
    # the browser's own plumbing
    "backend.accounts.browser_sessions.session_unchanged": BROWSER,
    "backend.accounts.browser_sessions.verify_session": BROWSER,
    "backend.accounts.sign_in_limits.backed_off_message": BROWSER,
    "backend.accounts.sign_in_limits.locked_message": BROWSER,
    "backend.core.client_address.client_address": BROWSER,
    "backend.core.keys.derive_key": BROWSER,
    "backend.core.validation.field_name": BROWSER,
    "backend.core.validation.nul_location": BROWSER,
    "backend.live.topics.channel": BROWSER,
    "backend.live.topics.order_topic": BROWSER,
    "backend.live.topics.parse_announcement": BROWSER,
    "backend.live.topics.product_topic": BROWSER,
    "backend.observability.tracing.pseudonym": BROWSER,
    "backend.observability.tracing.set_span_attributes": BROWSER,
    "backend.funnel.counts.record": (
        "counts the storefront's own page views and checkout steps for the funnel; API "
        "traffic is counted by the metrics"
    ),
    "backend.analytics.sales.orders_fingerprint": "the overview page's change detection",
    "backend.catalog.queries.get_catalog_counts": (
        "the overview's tiles: the totals of GET /admin/products and GET /admin/categories"
    ),
    # one admin form's widgets
    "backend.merchandising.promotion_services.chosen_products": PAGE_WIDGET,
    "backend.merchandising.promotion_services.products_by_sku": PAGE_WIDGET,
    "backend.merchandising.promotion_services.preview_cart": (
        "the promotion editor's what-if calculator; a client sees the prices promotions "
        "give on GET /products, GET /cart and POST /orders/previews"
    ),
    "backend.merchandising.queries.count_matching": (
        "the collection editor's live count; GET /collections/{slug} lists what matches"
    ),
    "backend.shipping.inputs.parse_bands": (
        "parses the shipping form's text; the API takes a method's bands as JSON"
    ),
    "backend.drafts.queries.find_variants": same_as("GET /search and GET /admin/variants?sku="),
    # the same answer by another function
    "backend.cart.queries.item_count": same_as("GET /cart"),
    "backend.wishlists.queries.saved_product_ids": same_as("GET /me/wishlist"),
    "backend.catalog.queries.get_product_page": same_as("GET /products/{id}"),
    "backend.catalog.queries.list_brand_names": same_as("GET /admin/brands"),
    "backend.merchandising.promotion_services.get_promotion": same_as("GET /admin/promotions/{id}"),
    "backend.orders.queries.get_order": same_as("GET /orders/{number}"),
    "backend.pricing.discounts.list_discount_codes": same_as("GET /admin/discount-codes"),
    "backend.inventory.services.list_movements": same_as("GET /admin/stock-movements"),
    "backend.media.services.upload_image": same_as("POST /admin/products/{id}/images"),
    # ways of paying that are web pages by design
    "backend.checkout.services.place_and_pay": (
        "the storefront places and pays in one step; the API keeps them apart (POST /orders, "
        "POST /orders/{number}/payments) so a declined card is retried without a new order"
    ),
    "backend.payments.links.open_payment_link": (
        "a payment link is a web page e-mailed to a customer who may have no app; a client "
        "app pays its own orders with POST /orders/{number}/payments"
    ),
}


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name → the dotted `backend` name it stands for."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backend"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("backend"):
                    names[alias.asname or alias.name] = alias.name
    return names


def _function_name(dotted: str) -> str | None:
    """The `backend` function a dotted name reaches, by where it is defined; None for
    anything else (classes, constants, modules)."""
    module_name, _, attribute = dotted.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None
    if inspect.isfunction(found) and found.__module__.startswith("backend"):
        return f"{found.__module__}.{found.__qualname__}"
    return None


def _backend_functions(folders: tuple[str, ...], *, calls_only: bool) -> dict[str, str]:
    """Function name → the first file that uses it."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = _imports(tree)
            for node in ast.walk(tree):
                target = node.func if isinstance(node, ast.Call) else node
                if calls_only and not isinstance(node, ast.Call):
                    continue
                dotted = _dotted(target, names)
                function = _function_name(dotted) if dotted else None
                if function is not None:
                    found.setdefault(function, str(path.relative_to(PROJECT_ROOT)))
    return found


def _dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in names
    ):
        return f"{names[node.value.id]}.{node.attr}"
    return None


@cache
def _used_by_pages() -> dict[str, str]:
    return _backend_functions(UI_FOLDERS, calls_only=True)


@cache
def _used_by_api() -> dict[str, str]:
    return _backend_functions(API_FOLDERS, calls_only=False)


def test_every_service_a_page_calls_has_an_api_route_or_a_reason() -> None:
    pages, api = _used_by_pages(), _used_by_api()
    missing = {
        function: where
        for function, where in pages.items()
        if function not in api and function not in NOT_IN_THE_API
    }
    assert missing == {}, "called by pages, not reachable through /api/v1: " + ", ".join(
        f"{function} ({where})" for function, where in sorted(missing.items())
    )


def test_every_reason_still_applies() -> None:
    pages, api = _used_by_pages(), _used_by_api()
    stale = {
        function: "now used by the API" if function in api else "no page calls it"
        for function in NOT_IN_THE_API
        if function in api or function not in pages
    }
    assert stale == {}


def test_the_scan_sees_the_pages_and_the_api() -> None:
    """The scan itself works: it finds services known to be used on both sides."""
    assert "backend.reviews.services.write_review" in _used_by_pages()
    assert "backend.reviews.services.write_review" in _used_by_api()
    assert len(_used_by_pages()) > 150
