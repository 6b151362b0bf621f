"""Every admin page opens for an administrator at 1280 px: its heading, its content, no
error, nothing wider than the window (tables stay readable) and no axe-core violation of
WCAG 2.1 A/AA. Narrowed to a phone's 390 px, the same page fits without sideways scrolling
(table rows stacked), and the menu hides behind a button whose side sheet keeps focus until
Escape or a link closes it (axe checks the phone menu; the pages' content it checked at
1280 px). A screenshot of each, at both widths, is kept under var/test-results/admin-pages/
to look at. (Each page is loaded once and then narrowed: the layout is CSS, and loading
every page twice cost the suite about 40 s.)"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from admin.components.layout import NAV_ITEMS
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.accessibility import assert_accessible
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for, run
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, wait_until_loaded

DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}

# (path, the page's heading, something its loaded content shows), in groups of a few
# pages: each group is one test, so the slowest stays well inside the suite's per-test
# timeout on a slow machine (all 26 pages in one test took 206 s on CI, once over 300 s).
PAGE_GROUPS = {
    "catalog": [
        ("/admin", "Overview", "Revenue today"),
        ("/admin/products", "Products", "products"),
        ("/admin/products/new", "Product", "Create product"),
        ("/admin/products/import", "Import and export products", "Download CSV"),
        ("/admin/catalog", "Categories & brands", "Create category"),
        ("/admin/collections", "Collections", "New collection"),
        ("/admin/inventory", "Inventory", "Find"),
        ("/admin/reviews", "Reviews", "waiting for moderation"),
    ],
    "sales": [
        ("/admin/orders", "Orders", "Placed from"),
        ("/admin/drafts", "Draft orders", "New draft order"),
        ("/admin/returns", "Returns", "Open a return's order"),
        ("/admin/promotions", "Promotions", "New promotion"),
        ("/admin/discounts", "Discount codes", "Create code"),
        ("/admin/gift-cards", "Gift cards", "Issue gift card"),
    ],
    "shop": [
        ("/admin/shipping", "Shipping", "Everywhere we ship"),
        ("/admin/taxes", "Taxes", "Preview checkout for an address"),
        ("/admin/settings", "Settings", "Order-number prefix"),
        ("/admin/analytics", "Analytics", "Revenue"),
        ("/admin/messages", "Messages", "Sent and stored messages"),
        ("/admin/audit", "Audit log", "Action"),
        ("/admin/webhooks", "Webhooks", "New endpoint"),
        ("/admin/staff", "Staff", "Built-in"),
    ],
}


@pytest.fixture(scope="module")
def shop_data() -> dict[str, str]:
    """A product, a customer with a paid order: the subjects of the detail pages."""
    from backend.catalog import queries as catalog_queries

    unique = uuid.uuid4().hex[:10]
    shopper = create_account(f"pages{unique}", roles=frozenset({RoleName.USER}))
    slug = create_product(f"pg{unique}", name=f"Screenshot Teapot {unique}", price="42.00")
    # A long unbroken value (an audit entry shows it) must not make a table scroll.
    create_product(f"pl{unique}", name="Teapot" + "Porcelain" * 12 + unique)
    number, _ = place_order_for(shopper, slug, paid=True)
    product_id = run(lambda: catalog_queries.get_product_page(slug)).summary.id
    return {"product_id": str(product_id), "order": number, "shopper": shopper}


def _sign_in(page: Page, unique: str) -> None:
    AdminDashboard(page).open_signed_in(
        create_account("p" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})),
        PASSWORD,
    )
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()


def _check(page: Page, path: str, heading: str, content: str | None) -> None:
    """The page at 1280 px, then narrowed to a phone's width."""
    page.set_viewport_size(DESKTOP)
    page.goto(path)
    # Each page is a fresh load: the session is checked over a new websocket first.
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(
        timeout=HYDRATION_TIMEOUT_MS
    )
    wait_until_loaded(page)
    if content is not None:
        expect(page.get_by_text(content).first).to_be_visible()
    # An administrator's groups give every permission: no page says one is missing.
    expect(page.get_by_text("permission this page needs")).to_have_count(0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)  # Reflex's error toasts
    _assert_fits(page, path)
    assert_accessible(page, path)
    name = re.sub(r"[^a-z0-9]+", "-", path.strip("/").lower()) or "admin"
    page.screenshot(path=f"var/test-results/admin-pages/{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    # A phone gets the menu behind a button, not the sections' links above the content.
    expect(AdminDashboard(page).navigation).to_have_count(0)
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    _assert_fits(page, path)
    page.screenshot(path=f"var/test-results/admin-pages/phone-{name}.png", full_page=True)


def _assert_fits(page: Page, path: str) -> None:
    """Nothing reaches past the window's right edge: no sideways scrolling."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} at {width} px is {overflow} px too wide: {_too_wide(page)}"


def _too_wide(page: Page) -> list[str]:
    """The innermost elements reaching past the window's right edge (what to fix)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => ![...e.children].some(
                    c => c.getBoundingClientRect().right > window.innerWidth + 1))
                .slice(0, 5)
                .map(e => `${e.tagName}.${e.className} ${(e.textContent || '').slice(0, 40)}`)"""
        )
    )


@pytest.mark.parametrize("group", PAGE_GROUPS)
def test_every_admin_page_opens_readable_at_1280_px_and_fits_a_phone(
    page: Page, unique: str, group: str
) -> None:
    _sign_in(page, unique)
    for path, heading, content in PAGE_GROUPS[group]:
        _check(page, path, heading, content)


def test_the_detail_pages_open_readable_at_1280_px_and_fit_a_phone(
    page: Page, unique: str, shop_data: dict[str, str]
) -> None:
    _sign_in(page, unique)
    _check(page, f"/admin/products/{shop_data['product_id']}", "Product", "Save changes")
    _check(page, f"/admin/orders/{shop_data['order']}", "Order", shop_data["order"])
    _check(page, "/admin/accounts", "Customers", "Lifetime value")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("textbox", name="Search accounts").fill(shop_data["shopper"])
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=shop_data["shopper"]).click()
    expect(page.get_by_role("heading", name="Customer", level=1)).to_be_visible()
    _check(page, urlsplit(page.url).path, "Customer", "Lifetime value")


def test_the_phone_menu_keeps_focus_and_closes_with_escape_or_a_link(
    page: Page, unique: str
) -> None:
    page.set_viewport_size(PHONE)
    _sign_in(page, unique)
    menu_button = page.get_by_role("button", name="Menu")
    menu_button.click()
    sheet = page.get_by_role("dialog", name="Menu")
    expect(sheet).to_be_visible()
    navigation = sheet.get_by_role("navigation", name="Admin navigation")
    # Every section and the shop: an administrator's groups give every permission.
    expect(navigation.get_by_role("link")).to_have_count(len(NAV_ITEMS) + 1)
    expect(navigation.get_by_role("link", name="Overview")).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path="var/test-results/admin-pages/phone-menu-open.png")
    assert_accessible(page, "the phone menu")
    for _ in range(20):  # further than the sheet's stops: focus comes round, never leaves
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)
    expect(menu_button).to_be_focused()

    menu_button.click()
    page.get_by_role("dialog", name="Menu").get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
