"""A shopper's first look: the shell, browsing, search, a product page, a missing page."""

import re

import pytest
from playwright.sync_api import Page, expect

from backend.demo.seed import seed_demo_data
from tests.e2e.data import create_product, run
from tests.e2e.pages.storefront import Storefront


@pytest.fixture(scope="module", autouse=True)
def demo_catalog() -> None:
    run(seed_demo_data)


def test_home_shows_header_search_cart_account_and_footer(page: Page) -> None:
    shop = Storefront(page).open("/")
    expect(shop.search_box).to_be_visible()
    expect(shop.cart).to_be_visible()
    expect(shop.cart).to_have_accessible_name("Cart, 0 items")
    expect(shop.sign_in_link).to_be_visible()
    expect(shop.footer.get_by_text("Kestrel Goods")).to_be_visible()
    expect(shop.heading("Shop by category")).to_be_visible()
    expect(shop.heading("New arrivals")).to_be_visible()
    expect(page).to_have_title("Kestrel Goods")


def test_phone_layout_keeps_the_header_usable(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    shop = Storefront(page).open("/")
    for element in (shop.logo, shop.search_box, shop.cart, shop.sign_in_link):
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_search_finds_a_product_and_opens_its_page(page: Page) -> None:
    shop = Storefront(page).open("/")
    shop.search("skillet")
    expect(shop.heading("Results for “skillet”")).to_be_visible()
    shop.product_link("Ferro Cast Iron Skillet").click()
    expect(shop.heading("Ferro Cast Iron Skillet")).to_be_visible()
    expect(page.get_by_text("DEMO-02001")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\$\d+\.\d\d$")).first).to_be_visible()


def test_category_page_lists_its_products(page: Page) -> None:
    shop = Storefront(page).open("/")
    page.get_by_role("link", name=re.compile("^Kitchen")).click()
    expect(shop.heading("Kitchen")).to_be_visible()
    expect(page.get_by_text("8 products")).to_be_visible()


def test_product_page_shows_price_and_availability(page: Page, unique: str) -> None:
    product_id = create_product(unique, name=f"Enamel Mug {unique}", price="12.50", stock=3)
    shop = Storefront(page).open(f"/products/{product_id}")
    expect(shop.heading(f"Enamel Mug {unique}")).to_be_visible()
    expect(page.get_by_text("$12.50")).to_be_visible()
    expect(page.get_by_text("Only 3 left")).to_be_visible()


def test_unknown_pages_and_products_say_so(page: Page) -> None:
    shop = Storefront(page).open("/no-such-page")
    expect(shop.heading("Page not found")).to_be_visible()
    shop.open("/products/00000000-0000-0000-0000-000000000000")
    expect(shop.heading("Product not found")).to_be_visible()


def test_a_search_without_results_says_so(page: Page) -> None:
    shop = Storefront(page).open("/")
    shop.search("zzzqqq")
    expect(page.get_by_text("No products match “zzzqqq”")).to_be_visible()
