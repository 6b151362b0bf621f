"""An admin creates a discount code; a shopper uses it at checkout; switched off, it stops."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer


def test_a_new_code_takes_ten_percent_off_until_switched_off(page: Page, unique: str) -> None:
    code = f"TEN{unique[:6]}".upper()
    admin = AdminDashboard(page).open_signed_in(
        create_account("d" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Discounts")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Value", exact=True).fill("10")
    page.get_by_role("button", name="Create code").click()
    expect(page.get_by_text(f"Code {code} created.")).to_be_visible()
    expect(page.get_by_role("row", name=code)).to_contain_text("10 % off")
    page.screenshot(path="var/test-results/admin-discounts.png")

    slug = create_product(f"d{unique}", name=f"Discount Lamp {unique}", price="40.00")
    buyer = Buyer(page)
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    buyer.fill_details(
        email=f"discount-{unique}@example.com", **{"Discount code (optional)": code.lower()}
    )
    expect(page.get_by_text(f"Discount ({code})")).to_be_visible()
    expect(page.get_by_test_id("order-total")).to_have_text("$40.95")  # 40 − 4 + 4.95

    admin.open("/admin/discounts")
    page.get_by_role("switch", name=f"Active: {code}").click()
    expect(page.get_by_role("switch", name=f"Active: {code}")).not_to_be_checked()
    buyer.open_checkout()
    page.get_by_role("button", name="Continue to review").click()
    expect(page.get_by_text("That discount code is not valid.")).to_be_visible()
