"""A shopper buys a past order again: its products land in the cart at today's price."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.pages.storefront import Storefront


def test_buy_again_fills_the_cart_from_a_past_order(page: Page, unique: str) -> None:
    email = create_account(f"b{unique}", roles=frozenset({RoleName.USER}))
    teapot = create_product(f"t{unique}", name=f"Again Teapot {unique}", price="31.00")
    number, _ = place_order_for(email, teapot, paid=True, quantity=2)

    Storefront(page).open_signed_in(email, PASSWORD, f"/orders/{number}")
    page.screenshot(path="var/test-results/order-page-buy-again.png", full_page=True)
    page.get_by_role("button", name="Buy again").click()

    expect(page).to_have_url(f"{page.url.split('/orders')[0]}/cart")
    expect(page.get_by_role("link", name=f"Again Teapot {unique}")).to_be_visible()
    expect(page.get_by_text("$31.00 each")).to_be_visible()
    expect(page.get_by_text("$62.00").first).to_be_visible()
    page.screenshot(path="var/test-results/buy-again-cart.png", full_page=True)
