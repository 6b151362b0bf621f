"""Page objects for the admin dashboard."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages.storefront import (
    HYDRATION_TIMEOUT_MS,
    SignInForm,
    sign_in_over_http,
    wait_until_loaded,
)


class AdminDashboard:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.gate_heading = page.get_by_role("heading", name="Staff sign-in")
        self.sign_in_form = SignInForm(page)
        self.navigation = page.get_by_role("navigation", name="Admin navigation")

    def open(self, path: str = "/admin") -> AdminDashboard:
        self.page.goto(path)
        return self

    def open_signed_in(self, email: str, password: str, path: str = "/admin") -> AdminDashboard:
        """Signed in (over HTTP, `sign_in_over_http`), at `path` with its data loaded."""
        sign_in_over_http(self.page, email, password)
        self.page.goto(path)
        wait_until_loaded(self.page)
        # Signed in: not the gate (the navigation itself is behind "Menu" on a phone).
        expect(self.gate_heading).to_have_count(0)
        return self

    def expect_signed_in(self) -> None:
        """The dashboard after a sign-in: the first page over a new websocket and session
        check, which takes seconds on a loaded machine (HYDRATION_TIMEOUT_MS)."""
        expect(self.navigation).to_be_visible(timeout=HYDRATION_TIMEOUT_MS)

    def expect_gate(self) -> None:
        expect(self.gate_heading).to_be_visible()
        expect(self.navigation).to_have_count(0)

    def stat(self, label: str) -> Locator:
        """The number shown on an overview card."""
        card = self.page.get_by_role("group", name=label, exact=True)
        return card.get_by_text(re.compile(r"^\d[\d,]*$"))

    def nav_link(self, name: str) -> Locator:
        return self.navigation.get_by_role("link", name=name, exact=True)

    def go_to(self, section: str) -> AdminDashboard:
        """Open a section from the sidebar and wait for its data (forms included)."""
        link = self.nav_link(section)
        href = link.get_attribute("href") or ""
        link.click()
        self.page.wait_for_url(re.compile(rf"{re.escape(href)}/?(\?.*)?$"))
        wait_until_loaded(self.page)
        return self
