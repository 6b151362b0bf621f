"""An administrator gives a product options and variants (issue #18): a 3 × 4 matrix is
generated, the XL row is priced in one action, and the storefront sells it; staff adjust
one size's stock on the inventory page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


def test_an_admin_builds_a_3_by_4_product_and_prices_the_xl_row(page: Page, unique: str) -> None:
    slug = create_product(f"v{unique}", name=f"Trail Tee {unique}", price="20.00", stock=4)
    admin = AdminDashboard(page).open_signed_in(
        create_account("v" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})),
        PASSWORD,
    )
    admin.go_to("Products")
    page.get_by_role("textbox", name="Search products by name or SKU").fill(f"Trail Tee {unique}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Trail Tee {unique}").click()
    page.get_by_role("link", name="Options and variants").click()
    expect(page.get_by_role("heading", name="Options", exact=True)).to_be_visible()

    page.get_by_role("button", name="Add option").click()
    page.get_by_role("textbox", name="Option 1 name").fill("Colour")
    page.get_by_role("textbox", name="Option 1 values").fill("Sand, Moss, Slate")
    page.get_by_role("button", name="Add option").click()
    page.get_by_role("textbox", name="Option 2 name").fill("Size")
    page.get_by_role("textbox", name="Option 2 values").fill("S, M, L, XL")
    page.get_by_role("button", name="Generate variants").click()
    rows = page.get_by_role("row").filter(has=page.get_by_role("checkbox"))
    expect(rows).to_have_count(12)

    page.get_by_role("combobox", name="Rows to change").click()
    page.get_by_role("option", name="Size: XL").click()
    page.get_by_role("textbox", name="Price for the selected rows", exact=True).fill("26.00")
    page.get_by_role("button", name="Apply to selected rows").click()
    expect(page.get_by_text("Set for 3 rows")).to_be_visible()
    expect(page.get_by_role("textbox", name="Price of Moss / XL", exact=True)).to_have_value(
        "26.00"
    )
    page.get_by_role("textbox", name="First stock of Moss / XL").fill("5")
    page.get_by_role("button", name="Save variants").click()
    expect(page.get_by_text("Variants saved.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Price of Slate / XL", exact=True)).to_have_value(
        "26.00"
    )
    page.screenshot(path="var/test-results/admin-variants.png", full_page=True)

    Storefront(page).open(f"/products/{slug}")
    expect(page.get_by_role("radiogroup", name="Size")).to_be_visible()
    # Sand / S opens (the product's first variant); Moss in S has no stock: "Moss, sold out".
    colour = page.get_by_role("radiogroup", name="Colour")
    colour.get_by_role("radio", name=re.compile(r"^Moss")).click()
    page.get_by_role("radiogroup", name="Size").get_by_role("radio", name="XL", exact=True).click()
    expect(page.get_by_test_id("product-price")).to_have_text("$26.00")
    expect(page.get_by_test_id("product-stock")).to_have_text("Only 5 left")
    expect(page).to_have_url(re.compile(r"\?variant="))
