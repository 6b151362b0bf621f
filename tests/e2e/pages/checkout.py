"""Page objects for buying: product page cart control, cart, checkout, order pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages.storefront import Storefront, wait_until_loaded


class Buyer:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.shop = Storefront(page)

    def add_to_cart(self, slug: str, quantity: int = 1) -> None:
        self.shop.open(f"/products/{slug}")
        if quantity != 1:
            self.page.get_by_role("combobox", name="Quantity").click()
            self.page.get_by_role("option", name=str(quantity), exact=True).click()
        self.page.get_by_role("button", name="Add to cart").click()
        expect(self.page.get_by_text("to your cart")).to_be_visible()

    def expect_cart_count(self, count: int) -> None:
        expect(self.shop.cart).to_have_accessible_name(re.compile(rf"^Cart, {count} items?$"))

    def fill_details(
        self, *, email: str | None = "guest@example.com", remind_me: bool = False, **fields: str
    ) -> None:
        values = {
            "Full name": "Grace Guest",
            "Address": "12 Harbour Road",
            "Postal code": "90210",
            "City": "Springfield",
        } | fields
        if email is not None:
            self.page.get_by_label("E-mail", exact=True).fill(email)
        if remind_me:
            self.page.get_by_role("checkbox", name="E-mail me about this cart").check()
        for label, value in values.items():
            self.page.get_by_label(label, exact=True).fill(value)
        self.page.get_by_role("button", name="Continue to review").click()
        expect(self.page.get_by_role("heading", name="Review your order")).to_be_visible()

    def pay(self, card: str) -> None:
        self.page.get_by_label("Card number").fill(card)
        self.page.get_by_role("button", name="Place order and pay").click()

    def open_checkout(self) -> None:
        self.shop.open("/cart")
        self.page.get_by_role("link", name="Check out").click()
        self.page.wait_for_url(re.compile(r"/checkout/?$"))  # then the loads of that page
        wait_until_loaded(self.page)
        expect(self.page.get_by_role("heading", name="Checkout")).to_be_visible()
