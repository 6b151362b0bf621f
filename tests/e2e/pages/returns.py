"""Page objects for returns: the shopper's return form and the returns on order pages."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages.storefront import wait_until_loaded


class ReturnForm:
    """`/orders/<number>/return`: pick quantities and a reason, then send."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Return items", level=1)
        self.comment = page.get_by_label("Anything we should know? (optional)")
        self.submit = page.get_by_role("button", name="Request return")

    def choose_quantity(self, product_name: str, quantity: int) -> None:
        self.page.get_by_role("combobox", name=f"How many of {product_name}").click()
        self.page.get_by_role("option", name=str(quantity), exact=True).click()

    def choose_exchange(self, product_name: str, choice: str) -> None:
        self.page.get_by_role("combobox", name=f"Refund or exchange {product_name}").click()
        self.page.get_by_role("option", name=choice, exact=True).click()

    def choose_reason(self, reason: str) -> None:
        self.page.get_by_role("radio", name=reason).click()


class OrderReturns:
    """The returns panel of an order page (the shopper's or the admin's)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Returns")
        self.return_items = page.get_by_role("button", name="Return items")
        self.refusal = page.get_by_test_id("return-refusal")

    def status_of(self, number: str) -> Locator:
        card = self.page.locator(".rt-Card").filter(has_text=f"Return {number}")
        return card.get_by_test_id("return-status")

    def card(self, number: str) -> Locator:
        return self.page.locator(".rt-Card").filter(has_text=f"Return {number}")

    def open_form(self) -> ReturnForm:
        self.return_items.click()
        self.page.wait_for_url(re.compile(r"/return/?$"))  # then the loads of that page
        wait_until_loaded(self.page)
        form = ReturnForm(self.page)
        expect(form.heading).to_be_visible()
        return form
