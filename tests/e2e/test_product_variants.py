"""A shopper chooses a colour and a size (issue #18): the address, price, stock and SKU
follow the choice, a sold-out size says so, and the cart, checkout, confirmation e-mail
and order page name the size and colour."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.data import create_jacket
from tests.e2e.mail import wait_for_mail
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import Storefront
from tests.fixtures.mail import SmtpServer


def test_choosing_colour_and_size_then_buying_names_them_everywhere(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    slug, variant_ids = create_jacket(unique)
    shop = Storefront(page).open(f"/products/{slug}")
    colour = page.get_by_role("radiogroup", name="Colour")
    size = page.get_by_role("radiogroup", name="Size")
    # The default variant, M / Navy.
    expect(size.get_by_role("radio", name="M", exact=True)).to_be_checked()
    expect(page.get_by_test_id("product-price")).to_have_text("$80.00")
    expect(page.get_by_test_id("product-sku")).to_have_text(f"SJ-{unique}-NM")

    size.get_by_role("radio", name="L", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?variant={variant_ids['Navy / L']}$"))
    expect(page.get_by_test_id("product-price")).to_have_text("$90.00")
    expect(page.get_by_test_id("product-compare-at")).to_contain_text("$120.00")
    expect(page.get_by_test_id("product-sku")).to_have_text(f"SJ-{unique}-NL")

    # Red in M is sold out: offered as such, and it cannot be added to the cart.
    colour.get_by_role("radio", name="Red", exact=True).click()
    expect(size.get_by_role("radio", name="M, sold out")).to_be_visible()
    size.get_by_role("radio", name="M, sold out").click()
    expect(page.get_by_test_id("product-stock")).to_have_text("Out of stock")
    expect(page.get_by_role("button", name="Sold out")).to_be_disabled()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    page.screenshot(path="var/test-results/product-variants-sold-out.png", full_page=True)

    # The keyboard moves within a group (arrow keys) like any radio group.
    size.get_by_role("radio", name="M, sold out").focus()
    expect(size.get_by_role("radio", name="M, sold out")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.screenshot(path="var/test-results/product-variants-arrow.png", full_page=True)
    expect(size.get_by_role("radio", name="L", exact=True)).to_be_checked()
    expect(page).to_have_url(re.compile(rf"\?variant={variant_ids['Red / L']}$"))

    # A shared link opens the variant it names.
    shop.open(f"/products/{slug}?variant={variant_ids['Red / L']}")
    expect(colour.get_by_role("radio", name="Red", exact=True)).to_be_checked()
    expect(size.get_by_role("radio", name="L", exact=True)).to_be_checked()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("(Red / L) to your cart")).to_be_visible()

    buyer = Buyer(page)
    shop.open("/cart")
    expect(page.get_by_text("Colour: Red · Size: L")).to_be_visible()
    buyer.open_checkout()
    email = f"jacket-{unique}@example.com"
    buyer.fill_details(email=email)
    expect(page.get_by_text(f"Storm Jacket {unique} (Red / L)")).to_be_visible()
    buyer.pay("4242 4242 4242 4242")
    expect(page.get_by_test_id("order-status")).to_be_visible()
    expect(page.get_by_text(f"Storm Jacket {unique} (Red / L)")).to_be_visible()
    page.screenshot(path="var/test-results/product-variants-order.png", full_page=True)

    confirmation = wait_for_mail(mailbox, email)
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Storm Jacket {unique}, Red / L (SJ-{unique}-RL)" in text
