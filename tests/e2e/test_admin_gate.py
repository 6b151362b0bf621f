"""The admin dashboard opens only for staff; everyone else meets its sign-in gate."""

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.catalog import queries as catalog
from tests.e2e.data import PASSWORD, create_account, create_product, run
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, Storefront


def test_anonymous_visitor_sees_the_sign_in_gate(page: Page) -> None:
    admin = AdminDashboard(page).open("/admin/products")
    admin.expect_gate()
    expect(page.get_by_role("table")).to_have_count(0)


def test_wrong_password_is_refused_with_a_message(page: Page, unique: str) -> None:
    email = create_account(unique, roles=frozenset({DefaultGroup.ADMINISTRATORS}))
    admin = AdminDashboard(page).open()
    admin.sign_in_form.sign_in(email, "not the password")
    admin.sign_in_form.expect_refused("That e-mail and password do not match an account.")
    admin.expect_gate()


def test_staff_sign_in_opens_the_dashboard_with_true_numbers(page: Page, unique: str) -> None:
    create_product(unique, stock=0)
    email = create_account(unique, roles=frozenset({DefaultGroup.ADMINISTRATORS}))
    admin = AdminDashboard(page).open()
    admin.sign_in_form.sign_in(email, PASSWORD)
    admin.expect_signed_in()
    counts = run(catalog.get_catalog_counts)
    expect(admin.stat("Products")).to_have_text(str(counts.products))
    expect(admin.stat("Categories")).to_have_text(str(counts.categories))
    expect(admin.stat("Out of stock")).to_have_text(str(counts.out_of_stock))
    assert counts.products >= 1
    expect(page.get_by_role("status")).to_contain_text("Background worker — Running")
    assert counts.out_of_stock >= 1

    admin.go_to("Products")
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_text(f"{counts.products} products")).to_be_visible()


def test_a_shopper_is_told_the_dashboard_is_not_for_them(page: Page, unique: str) -> None:
    email = create_account(unique, roles=frozenset({RoleName.USER}))
    shop = Storefront(page).open("/sign-in")
    shop_form = AdminDashboard(page).sign_in_form
    shop_form.sign_in(email, PASSWORD)
    shop.expect_signed_in()

    admin = AdminDashboard(page).open()
    admin.expect_gate()
    # The gate shows at once; the reason comes with the session check over a new
    # websocket (HYDRATION_TIMEOUT_MS, as every first page after signing in).
    expect(page.get_by_role("alert")).to_contain_text(
        "has no access to the admin dashboard", timeout=HYDRATION_TIMEOUT_MS
    )
    expect(page.get_by_role("table")).to_have_count(0)


def test_sign_out_ends_the_session(page: Page, unique: str) -> None:
    email = create_account(unique, roles=frozenset({DefaultGroup.MODERATORS}))
    AdminDashboard(page).open().sign_in_form.sign_in(email, PASSWORD)
    admin = AdminDashboard(page)
    admin.expect_signed_in()
    page.get_by_role("button", name="Sign out").click()
    shop = Storefront(page)
    expect(shop.sign_in_link).to_be_visible()
    admin.open()
    admin.expect_gate()
