"""A shopper saves products from a card and a product page, finds them on the wishlist
page, moves one to the cart, and shares the list until revoking the link."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_category, create_product
from tests.e2e.pages.storefront import SignInForm, Storefront, wait_until_loaded
from tests.e2e.pages.wishlist import WishlistPage, save_toggle, saved_toggle


def test_save_from_card_and_page_then_move_to_cart_and_share(page: Page, unique: str) -> None:
    category = create_category(f"w{unique}")
    kettle, lamp = f"Wish Kettle {unique}", f"Wish Lamp {unique}"
    create_product(f"wk{unique}", name=kettle, price="42.00", category_id=category)
    lamp_slug = create_product(f"wl{unique}", name=lamp, price="18.50", category_id=category)
    email = create_account(f"w{unique}", roles=frozenset({RoleName.USER}))

    # A guest's heart leads to sign-in, and back to the page afterwards.
    shop = Storefront(page).open(f"/categories/cat-w{unique}")
    page.get_by_role("link", name=f"Save {kettle} (sign in first)").click()
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/categories/"))
    # The form learns where to go back to as the page loads: a shopper who signs in
    # before that lands on the home page (the test did, on a loaded machine).
    wait_until_loaded(page)
    SignInForm(page).sign_in(email, PASSWORD)
    expect(page).to_have_url(re.compile(f"/categories/cat-w{unique}$"))
    shop.expect_signed_in()

    save_toggle(page, kettle).click()  # the heart on the card
    expect(saved_toggle(page, kettle)).to_have_attribute("aria-pressed", "true")
    page.screenshot(path="var/test-results/wishlist-card-hearts.png", full_page=True)
    shop.open(f"/products/{lamp_slug}")
    save_toggle(page, lamp).click()  # the product page's Save button
    expect(saved_toggle(page, lamp)).to_contain_text("Saved")

    shop.account_menu.click()
    page.get_by_role("link", name="Your wishlist").click()
    wishlist = WishlistPage(page)
    expect(wishlist.rows).to_have_count(2)
    expect(wishlist.row(kettle)).to_contain_text("$42.00")
    expect(wishlist.row(lamp)).to_contain_text("In stock")
    page.screenshot(path="var/test-results/wishlist-page.png", full_page=True)

    wishlist.move_to_cart(kettle)
    expect(wishlist.rows).to_have_count(1)
    expect(shop.cart).to_have_accessible_name("Cart, 1 item")
    shop.open("/cart")
    expect(page.get_by_role("link", name=kettle)).to_be_visible()

    wishlist.open()
    wishlist.create_share_link.click()
    expect(wishlist.share_link).to_have_value(re.compile(r"/wishlists/[A-Za-z0-9_-]{32}$"))
    link = wishlist.share_link.input_value()
    page.screenshot(path="var/test-results/wishlist-shared-link.png", full_page=True)

    viewer = page.context.browser.new_page()  # type: ignore[union-attr]
    try:
        Storefront(viewer).open(link)
        expect(viewer.get_by_role("heading", name="A shared wishlist")).to_be_visible()
        expect(viewer.get_by_role("link", name=lamp, exact=True)).to_be_visible()
        expect(viewer.get_by_text(email)).to_have_count(0)
        expect(viewer.get_by_role("button", name=re.compile("Move|Remove"))).to_have_count(0)
        viewer.screenshot(path="var/test-results/wishlist-shared-view.png", full_page=True)

        wishlist.stop_sharing.click()
        expect(wishlist.create_share_link).to_be_visible()
        Storefront(viewer).open(link)
        expect(viewer.get_by_role("heading", name="Wishlist not found")).to_be_visible()
        expect(viewer.get_by_role("link", name=lamp, exact=True)).to_have_count(0)
    finally:
        viewer.close()
