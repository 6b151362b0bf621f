"""Page objects for the storefront: what a shopper sees and does, by role and label."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect

# A first page after signing in waits for a new websocket and the session check; with the
# browser, the shop and the tests sharing two cores, that can take a few seconds.
HYDRATION_TIMEOUT_MS = 15_000


def wait_until_loaded(page: Page, *, timeout_ms: int = HYDRATION_TIMEOUT_MS) -> None:
    """Until the data of the page now shown has arrived (its on_load handlers ran).

    After a client-side navigation the hydrated flag is still the previous page's until the
    server starts this page's loads, so the loaded path must be this page's first; typing
    into a form before its loads finish would be undone when they do. "This page" is the
    URL now: after a click, wait for the new URL first.
    """
    main = page.locator("main")
    path = urlsplit(page.url).path.rstrip("/")
    expect(main).to_have_attribute(
        "data-loaded-path", re.compile(rf"^{re.escape(path)}/?$"), timeout=timeout_ms
    )
    expect(main).to_have_attribute("data-hydrated", "true", timeout=timeout_ms)


def sign_in_over_http(page: Page, email: str, password: str) -> None:
    """Sign in as the sign-in form does (it posts to /auth/sign-in), without loading the
    form first: for the many tests about something else (the form and the admin gate have
    tests of their own). The session cookie lands in the page's browser context, so the
    next page it opens is signed in."""
    from backend.settings import get_settings

    origin = get_settings().public_base_url.rstrip("/")
    response = page.request.post(
        f"{origin}/auth/sign-in",
        form={"email": email, "password": password, "next": "/"},
        headers={"Origin": origin},
        max_redirects=0,
    )
    location = response.headers.get("location", "")
    assert response.status == 303, response.status
    assert "error=" not in location, f"sign-in refused: {location}"


class Storefront:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = page.locator("header")
        self.footer = page.locator("footer")
        self.logo = self.header.get_by_role("link", name="Kestrel Goods home")
        self.search_box = page.get_by_role("searchbox", name="Search products")
        self.cart = self.header.get_by_role("link", name="Cart")
        self.sign_in_link = self.header.get_by_role("link", name="Sign in")
        self.account_menu = self.header.get_by_role("button", name="Account menu")

    def expect_signed_in(self, name: str = "") -> None:
        """The header's account menu (with `name`): after signing in it comes with the first
        page after the post, over a new websocket (HYDRATION_TIMEOUT_MS)."""
        expect(self.account_menu).to_be_visible(timeout=HYDRATION_TIMEOUT_MS)
        if name:
            expect(self.account_menu).to_contain_text(name)

    def open(self, path: str = "/") -> Storefront:
        self.page.goto(path)
        wait_until_loaded(self.page)
        return self

    def open_signed_in(self, email: str, password: str, path: str = "/") -> Storefront:
        """Signed in (over HTTP, `sign_in_over_http`), at `path`."""
        sign_in_over_http(self.page, email, password)
        self.open(path)
        self.expect_signed_in()
        return self

    def search(self, text: str) -> None:
        self.search_box.fill(text)
        self.search_box.press("Enter")
        expect(self.page).to_have_url(re.compile(r"/search\?q="))
        # The results are the ones the page loaded for this query: a click before its load
        # finished could land on a card the load then replaces.
        wait_until_loaded(self.page)

    def product_link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def heading(self, name: str) -> Locator:
        return self.page.get_by_role("heading", name=name)

    def sign_out(self) -> None:
        self.account_menu.click()
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.sign_in_link).to_be_visible()


class SignInForm:
    """The sign-in form, on /sign-in and on the admin gate."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.email = page.get_by_label("E-mail")
        self.password = page.get_by_label("Password")
        self.submit = page.get_by_role("button", name="Sign in")
        self.alert = page.get_by_role("alert")

    def sign_in(self, email: str, password: str) -> None:
        self.email.fill(email)
        self.password.fill(password)
        self.submit.click()

    def expect_refused(self, message: str) -> None:
        """The form is shown again with why: it comes with the first page after the post,
        over a new websocket (HYDRATION_TIMEOUT_MS)."""
        expect(self.alert).to_have_text(message, timeout=HYDRATION_TIMEOUT_MS)
