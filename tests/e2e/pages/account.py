"""Page objects for signing up, recovering a password and the account page."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages.storefront import wait_until_loaded


class SignUpPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> SignUpPage:
        self.page.goto("/sign-up")
        wait_until_loaded(self.page)
        expect(self.page.get_by_role("heading", name="Create your account")).to_be_visible()
        return self

    def fill(
        self, *, username: str, email: str, password: str, first: str = "", last: str = ""
    ) -> None:
        self.page.get_by_label("First name").fill(first)
        self.page.get_by_label("Last name").fill(last)
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Create account").click()

    def field(self, label: str) -> Locator:
        """A field; its error message is its accessible description."""
        return self.page.get_by_label(label, exact=True)


class AccountPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Your account")

    def open(self) -> AccountPage:
        self.page.goto("/account")
        wait_until_loaded(self.page)
        expect(self.heading).to_be_visible()
        return self

    def section(self, title: str) -> Locator:
        return self.page.locator(
            ".rt-Card", has=self.page.get_by_role("heading", name=title, exact=True)
        )

    def save_profile(self, *, first: str, last: str) -> None:
        profile = self.section("Profile")
        profile.get_by_label("First name").fill(first)
        profile.get_by_label("Last name").fill(last)
        profile.get_by_role("button", name="Save profile").click()
        expect(profile.get_by_role("status")).to_have_text("Your profile is saved.")

    def add_address(self, **fields: str) -> None:
        addresses = self.section("Addresses")
        addresses.get_by_role("button", name="Add an address").click()
        labels = {
            "full_name": "Full name",
            "line1": "Address",
            "postal_code": "Postal code",
            "city": "City",
            "country": "Country code",
        }
        for key, value in fields.items():
            addresses.get_by_label(labels[key], exact=True).fill(value)
        addresses.get_by_role("button", name="Save address").click()
