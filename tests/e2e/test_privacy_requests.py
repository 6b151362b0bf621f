"""A shopper downloads their data and erases their account; an admin does both for a
customer who asks."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import SignInForm, Storefront, wait_until_loaded


def test_a_shopper_downloads_their_data_and_erases_their_account(page: Page, unique: str) -> None:
    email = create_account(f"gdpr{unique}", roles=frozenset({RoleName.USER}))
    slug = create_product(f"gdpr{unique}", name=f"Privacy Kettle {unique}", price="30.00")
    number, _ = place_order_for(email, slug, paid=False)
    shop = Storefront(page).open_signed_in(email, PASSWORD, "/account")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == email
    assert [order["number"] for order in data["orders"]] == [number]
    assert download.value.suggested_filename.endswith(".json")

    # An unpaid order is under way: the erasure waits for it.
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("alert")).to_contain_text(number)

    shop.open(f"/orders/{number}")
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("Cancelled").first).to_be_visible()
    shop.open("/account")
    page.get_by_label("Your password, to confirm").fill("not my password")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    page.get_by_role("heading", name="Your data").scroll_into_view_if_needed()
    page.screenshot(path="var/test-results/account-your-data.png")
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("Your account and personal data are erased.")).to_be_visible()
    expect(shop.account_menu).to_have_count(0)

    shop.open("/sign-in")
    wait_until_loaded(page)
    SignInForm(page).sign_in(email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_an_admin_exports_and_erases_a_customer(page: Page, unique: str) -> None:
    customer = create_account(f"gone{unique}", roles=frozenset({RoleName.USER}))
    admin = AdminDashboard(page).open_signed_in(
        create_account(f"dpo{unique}", roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Customers")
    page.get_by_role("textbox", name="Search accounts").fill(customer)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=customer).click()
    expect(page.get_by_role("heading", name=customer)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export data").click()
    assert json.loads(Path(download.value.path()).read_text())["account"]["email"] == customer
    page.get_by_role("button", name="Erase customer").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Erase").click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/?$"))
    expect(page.get_by_text("Customer erased")).to_be_visible()
    page.get_by_role("textbox", name="Search accounts").fill(customer)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=customer)).to_have_count(0)
