"""While the built-in test gateway takes payments, every page and every order says so.

The browser tests' shop runs with the test gateway (no Stripe keys), as development does:
shoppers see a "Test mode" strip above the header of each storefront page, staff above each
admin page (the sign-in gate too), and the order paid with a test card carries a badge on
the shopper's page and on the staff order page. Screenshots go to var/test-results/.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.data import create_product
from tests.e2e.pages.checkout import Buyer
from tests.e2e.test_admin_orders import buy, open_order_as_admin
from ui.test_mode import BANNER_TEXT, TEST_PAYMENT_TEXT


def banner(page: Page) -> Locator:
    return page.get_by_role("note", name="Test mode")


def test_every_page_and_the_order_say_no_real_payment_is_taken(
    page: Page, browser: object, unique: str
) -> None:
    page.goto("/")
    expect(banner(page)).to_have_text(BANNER_TEXT)
    page.screenshot(path="var/test-results/test-mode-storefront.png")

    number, _ = buy(page, unique, f"testmode-{unique}@example.com")
    expect(banner(page)).to_be_visible()
    expect(page.get_by_text(TEST_PAYMENT_TEXT)).to_be_visible()
    page.screenshot(path="var/test-results/test-mode-order.png", full_page=True)

    staff = browser.new_page(base_url=page.url.split("/orders")[0])  # type: ignore[attr-defined]
    try:
        staff.goto("/admin")
        expect(banner(staff)).to_have_text(BANNER_TEXT)  # the sign-in gate too
        open_order_as_admin(staff, unique, number)
        expect(banner(staff)).to_be_visible()
        expect(staff.get_by_text(TEST_PAYMENT_TEXT)).to_be_visible()
        staff.screenshot(path="var/test-results/test-mode-admin-order.png", full_page=True)
    finally:
        staff.close()


def test_checkout_lists_the_test_cards_in_test_mode(page: Page, unique: str) -> None:
    slug = create_product(f"tm{unique}", name=f"Test Mode Mug {unique}", price="9.00")
    buyer = Buyer(page)
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    buyer.fill_details(email=f"cards-{unique}@example.com")
    expect(page.get_by_text("Test cards:")).to_be_visible()
    expect(page.get_by_text("4242 4242 4242 4242 succeeds")).to_be_visible()
