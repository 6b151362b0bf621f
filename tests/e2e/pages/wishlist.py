"""Page objects for wishlists and back-in-stock notices."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from tests.e2e.pages.storefront import Storefront


class WishlistPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.rows = page.get_by_test_id("wishlist-row")
        self.share_link = page.get_by_role("textbox", name="Share link")
        self.create_share_link = page.get_by_role("button", name="Create share link")
        self.stop_sharing = page.get_by_role("button", name="Stop sharing")

    def open(self) -> WishlistPage:
        Storefront(self.page).open("/account/wishlist")
        return self

    def row(self, name: str) -> Locator:
        return self.rows.filter(has=self.page.get_by_role("link", name=name, exact=True))

    def move_to_cart(self, name: str) -> None:
        self.page.get_by_role("button", name=f"Move {name} to cart").click()


def save_toggle(page: Page, name: str) -> Locator:
    """The heart (card) or Save button (product page) of a product, not saved yet."""
    return page.get_by_role("button", name=f"Save {name}", exact=True)


def saved_toggle(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=f"Remove {name} from wishlist", exact=True)


class NotifyBox:
    """The "E-mail me when available" box of an out-of-stock product page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="E-mail me when available")
        self.email = page.get_by_label("Your e-mail address")
        self.submit = page.get_by_role("button", name="E-mail me when available")
        self.status = page.get_by_role("status")
