"""Admins put accounts into staff groups and lock them; the change takes effect for that
person at once."""

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import SignInForm, wait_until_loaded


def _open_accounts(page: Page, unique: str) -> AdminDashboard:
    admin = AdminDashboard(page).open_signed_in(
        create_account("a" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Customers")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    return admin


def _find(page: Page, email: str) -> None:
    page.get_by_role("textbox", name="Search accounts").fill(email)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=email)).to_be_visible()


def test_an_admin_puts_a_shopper_into_the_moderators(
    page: Page, browser: object, unique: str
) -> None:
    shopper = create_account("s" + unique, roles=frozenset({RoleName.USER}))
    _open_accounts(page, unique)
    _find(page, shopper)
    page.get_by_role("row", name=shopper).get_by_role("link", name=shopper).click()
    switch = page.get_by_role("switch", name="Moderators group")
    switch.click()
    expect(switch).to_be_checked()
    expect(page.get_by_label("Account", exact=True)).to_contain_text("Moderators")
    AdminDashboard(page).go_to("Customers")  # the accounts list shows it too
    _find(page, shopper)
    expect(page.get_by_role("row", name=shopper)).to_contain_text("Moderators")

    other = browser.new_page(base_url=page.url.split("/admin")[0])  # type: ignore[attr-defined]
    AdminDashboard(other).open().sign_in_form.sign_in(shopper, PASSWORD)
    AdminDashboard(other).expect_signed_in()
    other.close()


def test_a_locked_shopper_cannot_sign_in(page: Page, browser: object, unique: str) -> None:
    shopper = create_account("l" + unique, roles=frozenset({RoleName.USER}))
    _open_accounts(page, unique)
    _find(page, shopper)
    row = page.get_by_role("row", name=shopper)
    row.get_by_role("button", name="Lock").click()
    expect(row).to_contain_text("locked")

    other = browser.new_page(base_url=page.url.split("/admin")[0])  # type: ignore[attr-defined]
    other.goto("/sign-in")
    wait_until_loaded(other)  # a sign-in sent before the page is live goes nowhere
    form = SignInForm(other)
    form.sign_in(shopper, PASSWORD)
    expect(form.alert).to_have_text("This account is locked. Please contact us.")
    other.close()
