"""After a deploy: does the shop answer the way a shopper and staff use it?

Each test opens pages and clicks as a person would, finding what to use on the pages
themselves (the first category, a product in stock), so it works against any catalog.
It changes nothing but a guest cart, which expires; only on a shop that shows the test
mode strip does checkout go on to pay with the test gateway's card.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import Storefront, wait_until_loaded
from tests.smoke.conftest import SmokeTarget

TEST_CARD = "4242 4242 4242 4242"  # the test gateway's card that succeeds
PRODUCTS_TO_TRY = 12


def links_in_main(page: Page, prefix: str) -> list[str]:
    """The distinct paths of links in the page's main part that start with `prefix`."""
    hrefs = page.locator(f'main a[href^="{prefix}"]').evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return list(dict.fromkeys(hrefs))


def open_shop(page: Page, path: str = "/") -> Storefront:
    """Open a storefront page and wait for its data, which arrives over the websocket."""
    shop = Storefront(page)
    try:
        return shop.open(path)
    except AssertionError:
        if page.get_by_text("Cannot connect to server").count():
            pytest.fail(
                f"{page.url} loaded, but its websocket was refused: give the shop's public "
                "address (PUBLIC_BASE_URL), as the shop refuses pages from other origins"
            )
        raise


def in_test_mode(page: Page) -> bool:
    return page.get_by_role("note", name="Test mode").count() > 0


def open_product_in_stock(page: Page) -> str:
    """Open a product one can add to the cart (from the home page's new arrivals, then the
    first category's); returns its name."""
    shop = open_shop(page)
    candidates = links_in_main(page, "/products/")
    categories = links_in_main(page, "/categories/")
    if categories:
        shop.open(categories[0])
        candidates += links_in_main(page, "/products/")
    for path in list(dict.fromkeys(candidates))[:PRODUCTS_TO_TRY]:
        shop.open(path)
        add = page.get_by_role("button", name="Add to cart")
        if add.count() and add.is_enabled():
            return page.locator("main h1").first.inner_text()
    pytest.fail(
        f"none of {len(candidates)} products on the home and first category pages is in stock"
    )


def test_the_home_page_shows_the_shop(page: Page) -> None:
    shop = open_shop(page)
    expect(shop.search_box).to_be_visible()
    expect(shop.cart).to_be_visible()
    expect(shop.heading("Shop by category")).to_be_visible()
    expect(shop.heading("New arrivals")).to_be_visible()
    assert links_in_main(page, "/categories/"), "the home page lists no category"


def test_a_category_lists_its_products(page: Page) -> None:
    open_shop(page)
    categories = links_in_main(page, "/categories/")
    assert categories, "the home page lists no category"
    page.locator(f'main a[href="{categories[0]}"]').first.click()
    page.wait_for_url(re.compile(re.escape(categories[0]) + r"/?(\?.*)?$"))
    wait_until_loaded(page)
    expect(page.locator("main h1")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ products?$"))).to_be_visible()


def test_a_product_page_shows_its_price_and_the_cart_button(page: Page) -> None:
    name = open_product_in_stock(page)
    expect(Storefront(page).heading(name)).to_be_visible()
    expect(page.locator("main").get_by_text(re.compile(r"\d+\.\d\d")).first).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()


def test_search_finds_a_product_by_its_name(page: Page) -> None:
    name = open_product_in_stock(page)
    shop = Storefront(page)
    shop.search(name)
    wait_until_loaded(page)
    result = shop.product_link(name).first
    expect(result).to_be_visible()
    result.click()
    expect(shop.heading(name)).to_be_visible()


def test_a_guest_adds_to_the_cart_and_checks_out_up_to_payment(
    page: Page, smoke_target: SmokeTarget
) -> None:
    open_product_in_stock(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("to your cart")).to_be_visible()
    buyer = Buyer(page)
    expect(buyer.shop.cart).to_have_accessible_name(re.compile(r"^Cart, [1-9]\d* items?"))
    buyer.open_checkout()
    buyer.fill_details(email=smoke_target.shopper_email)
    expect(page.get_by_test_id("order-total")).to_have_text(re.compile(r"\d+\.\d\d"))
    place = page.get_by_role("button", name="Place order and pay")
    expect(place).to_be_visible()
    if not in_test_mode(page):
        assert not smoke_target.known_test_mode, "the test shop shows no test-mode strip"
        return  # a shop taking real payments: stop before anything is ordered
    buyer.pay(TEST_CARD)
    expect(page).to_have_url(re.compile(r"/orders/"))
    expect(page.get_by_text("Thank you! Your order is placed")).to_be_visible()
    expect(page.get_by_text("Test payment — no money was taken")).to_be_visible()


def test_staff_sign_in_opens_the_dashboard(page: Page, smoke_target: SmokeTarget) -> None:
    if not (smoke_target.staff_email and smoke_target.staff_password):
        pytest.skip("no staff account given (SMOKE_STAFF_EMAIL, SMOKE_STAFF_PASSWORD)")
    admin = AdminDashboard(page).open()
    admin.expect_gate()
    admin.sign_in_form.sign_in(smoke_target.staff_email, smoke_target.staff_password)
    admin.expect_signed_in()  # the first dashboard page: a new websocket and session check
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Signing out ends the session the sign-in opened.
    page.get_by_role("button", name="Sign out").first.click()
    admin.open()
    admin.expect_gate()
