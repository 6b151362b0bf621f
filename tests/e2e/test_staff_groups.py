"""Staff groups in the browser: an admin builds a group and its member sees only what it
allows; a packer (the Fulfilment group) ships an order and never sees a refund."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.pages.admin import AdminDashboard


def _sign_in(page: Page, email: str) -> AdminDashboard:
    admin = AdminDashboard(page).open_signed_in(email, PASSWORD)
    admin.expect_signed_in()
    return admin


def test_an_admin_builds_a_group_and_its_member_sees_only_what_it_allows(
    page: Page, browser: object, unique: str
) -> None:
    member = create_account("sup" + unique, roles=frozenset({RoleName.USER}))
    admin = _sign_in(
        page, create_account("a" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS}))
    )
    admin.go_to("Staff")
    editor = page.get_by_role("form", name="Staff group")
    editor.get_by_label("Name").fill(f"Support {unique}")
    editor.get_by_label("Description").fill("Answers customers")
    editor.get_by_role("checkbox", name="Customers").check()
    editor.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_contain_text(f"“Support {unique}” saved.")
    expect(page.get_by_role("row", name=f"Support {unique}")).to_contain_text("Customers")

    adding = page.get_by_role("form", name="Add a member")
    adding.get_by_label("Add by e-mail").fill(member)
    adding.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status")).to_contain_text(f"added to “Support {unique}”")
    expect(page.get_by_role("button", name=f"Remove {member}")).to_be_visible()
    page.screenshot(path="var/test-results/admin-staff-groups.png", full_page=True)
    # The Administrators' boxes are fixed (disabled): saving its description still works.
    page.get_by_role("button", name="Edit Administrators").click()
    expect(editor.get_by_role("checkbox", name="Staff")).to_be_disabled()
    editor.get_by_label("Description").fill("The owners")
    editor.get_by_role("button", name="Save group").click()
    expect(page.get_by_role("status")).to_contain_text("“Administrators” saved.")

    other = browser.new_page(base_url=page.url.split("/admin")[0])  # type: ignore[attr-defined]
    try:
        support = _sign_in(other, member)
        expect(other.get_by_text("Your access: Customers.")).to_be_visible()
        expect(support.nav_link("Customers")).to_be_visible()
        for hidden in ("Orders", "Products", "Staff", "Settings"):
            expect(support.nav_link(hidden)).to_have_count(0)
        other.goto("/admin/orders")
        expect(other.get_by_role("alert")).to_contain_text(
            "do not give the “Orders: view” permission"
        )
        expect(other.get_by_role("table")).to_have_count(0)
    finally:
        other.close()


def test_a_packer_ships_an_order_and_never_sees_a_refund(page: Page, unique: str) -> None:
    shopper = create_account("buy" + unique, roles=frozenset({RoleName.USER}))
    slug = create_product(f"pk{unique}", name=f"Packed Lamp {unique}", price="40.00")
    number, _ = place_order_for(shopper, slug, paid=True)
    packer = create_account("pack" + unique, roles=frozenset({DefaultGroup.FULFILMENT}))

    _sign_in(page, packer).go_to("Orders")
    page.get_by_role("textbox", name="Search orders").fill(number)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    expect(page.get_by_role("button", name="Mark shipped")).to_be_visible()
    expect(page.get_by_role("heading", name="Refund")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    expect(page.get_by_role("heading", name="Customer notes and tags")).to_have_count(0)
    page.screenshot(path="var/test-results/admin-packer-order.png", full_page=True)

    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill(f"JD{unique}")
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Order: shipped")
    expect(page.get_by_role("button", name="Mark delivered")).to_be_visible()
    expect(page.get_by_role("heading", name="Refund")).to_have_count(0)
