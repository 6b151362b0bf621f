"""A shopper chooses a colour and a size (issue #18): the address, price, stock and SKU
follow the choice, a sold-out size says so, and the cart, checkout, confirmation e-mail
and order page name the size and colour."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_jacket
from tests.e2e.mail import link_in, wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import Storefront
from tests.e2e.pages.wishlist import NotifyBox
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

    # The keyboard moves within a group (arrow keys) and chooses (Space) like any radio
    # group.
    size.get_by_role("radio", name="M, sold out").focus()
    expect(size.get_by_role("radio", name="M, sold out")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(size.get_by_role("radio", name="L", exact=True)).to_be_focused()
    page.keyboard.press("Space")
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

    wait_for_mail(mailbox, email, count=2)  # the confirmation and the payment receipt
    texts = [
        message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for message in mailbox.handler.to(email)
    ]
    assert any(f"Storm Jacket {unique}, Red / L (SJ-{unique}-RL)" in text for text in texts)


def test_a_shopper_waiting_for_a_sold_out_size_is_emailed_when_staff_restock_it(
    page: Page, browser: Browser, base_url: str, mailbox: SmtpServer, unique: str
) -> None:
    slug, variant_ids = create_jacket(unique)
    shopper = create_account(f"w{unique}", roles=frozenset({RoleName.USER}))
    shopper_page = browser.new_context(base_url=base_url).new_page()
    try:
        Storefront(shopper_page).open_signed_in(
            shopper, PASSWORD, f"/products/{slug}?variant={variant_ids['Red / M']}"
        )
        expect(shopper_page.get_by_test_id("product-stock")).to_have_text("Out of stock")
        NotifyBox(shopper_page).submit.click()
        expect(NotifyBox(shopper_page).status).to_contain_text("(Red / M) is back")
    finally:
        shopper_page.context.close()

    admin = AdminDashboard(page).open_signed_in(
        create_account("s" + unique, roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.go_to("Inventory")
    page.get_by_role("textbox", name="Product SKU").fill(f"SJ-{unique}-RM")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=f"Storm Jacket {unique} (Red / M)")).to_be_visible()
    page.get_by_label("Change").fill("4")
    page.get_by_role("combobox", name="Reason").click()
    page.get_by_role("option", name="Restock").click()
    page.get_by_role("button", name="Save adjustment").click()
    expect(page.get_by_text("Stock at Main warehouse is now 4.")).to_be_visible()
    page.screenshot(path="var/test-results/admin-inventory-variant.png", full_page=True)

    notice = wait_for_mail(mailbox, shopper)
    assert notice["Subject"] == f"Storm Jacket {unique} (Red / M) is back in stock"
    assert f"variant={variant_ids['Red / M']}" in link_in(notice, "/products/")
