"""Open pages follow what changes elsewhere, without a reload: a product page its stock
and price, a cart its lines, an order page its timeline (an event's handler announces it
on Redis; the web process refreshes the tabs that watch it: ui/live.py)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect

from backend.accounts.roles import RoleName
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.orders import fulfilment
from backend.orders import queries as order_queries
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for, run
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import Storefront, wait_until_loaded
from tests.fixtures.accounts import catalog_manager

LIVE_MS = 2000  # the bound: another tab shows the change within 2 s


def product_id_of(slug: str) -> uuid.UUID:
    return run(lambda: catalog_queries.get_product_page(slug)).summary.id


def test_a_product_page_shows_sold_out_and_a_new_price_live(
    page: Page, browser: Browser, unique: str
) -> None:
    slug = create_product(f"lv{unique}", name=f"Last Lamp {unique}", price="30.00", stock=1)
    page.goto(f"/products/{slug}")
    wait_until_loaded(page)
    expect(page.get_by_test_id("product-stock")).to_have_text("Only 1 left")

    # Another shopper, in a browser of their own, buys the last one.
    other = browser.new_context(base_url=page.url.split("/products/")[0]).new_page()
    buyer = Buyer(other)
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    buyer.fill_details(email=f"live-{unique}@example.com")
    buyer.pay("4242 4242 4242 4242")
    expect(other.get_by_text("Thank you! Your order is placed")).to_be_visible()

    expect(page.get_by_test_id("product-stock")).to_have_text("Out of stock", timeout=LIVE_MS)
    expect(page.get_by_role("button", name="Sold out")).to_be_disabled()

    async def reprice() -> None:
        await catalog.update_product(
            product_id_of(slug), {"price": Decimal("27.50")}, actor=await catalog_manager()
        )

    run(reprice)
    expect(page.get_by_test_id("product-price")).to_have_text("$27.50", timeout=LIVE_MS)
    other.context.close()


def test_an_open_cart_shows_a_line_that_sold_out(page: Page, unique: str) -> None:
    slug = create_product(f"lc{unique}", name=f"Cart Clock {unique}", price="45.00", stock=1)
    page.goto(f"/products/{slug}")
    wait_until_loaded(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    page.goto("/cart")
    wait_until_loaded(page)
    line = page.get_by_role("link", name=f"Cart Clock {unique}")
    expect(line).to_be_visible()
    expect(page.get_by_role("link", name="Check out")).to_be_visible()

    other_shopper = create_account(f"lo{unique}", roles=frozenset({RoleName.USER}))
    place_order_for(other_shopper, slug, paid=False)

    expect(page.get_by_text("Sold out", exact=True)).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_text("Change or remove the marked items to check out.")).to_be_visible()


def test_an_open_order_page_moves_along_when_staff_ship_it(page: Page, unique: str) -> None:
    slug = create_product(f"ls{unique}", name=f"Ship Shelf {unique}", price="60.00")
    shopper = create_account(f"ls{unique}", roles=frozenset({RoleName.USER}))
    number, _ = place_order_for(shopper, slug, paid=True)
    Storefront(page).open_signed_in(shopper, PASSWORD, f"/orders/{number}")
    timeline = page.get_by_label("Order timeline")
    expect(timeline).to_be_visible()
    shipped = timeline.get_by_text(re.compile("shipped", re.IGNORECASE))
    expect(shipped).to_have_count(0)

    async def ship() -> None:
        order = await order_queries.get_order(number)
        await fulfilment.fulfil_order(
            order.id, carrier="DHL", tracking_number="JD0123", actor=await catalog_manager()
        )

    run(ship)
    expect(shipped.first).to_be_visible(timeout=LIVE_MS)
