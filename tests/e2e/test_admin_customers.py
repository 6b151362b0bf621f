"""Admins look a customer up: their orders and lifetime value; and filter the orders list
by date, total and customer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.core.money import format_money
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.pages.admin import AdminDashboard


def test_a_customer_page_shows_their_orders_and_what_they_paid(page: Page, unique: str) -> None:
    shopper = create_account("c" + unique, roles=frozenset({RoleName.USER}))
    lamp = create_product(f"c{unique}", name=f"Customer Lamp {unique}", price="30.00")
    paid_number, paid_total = place_order_for(shopper, lamp, paid=True)
    unpaid_number, unpaid_total = place_order_for(shopper, lamp, paid=False, quantity=2)

    admin = AdminDashboard(page).open_signed_in(
        create_account("a" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Customers")
    page.get_by_role("textbox", name="Search accounts").fill(shopper)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row", name=shopper)
    expect(row).to_contain_text(format_money(paid_total, "USD"))  # only the paid order counts
    row.get_by_role("link", name=shopper).click()

    expect(page.get_by_role("heading", name=shopper)).to_be_visible()
    expect(page.get_by_label("Orders and lifetime value")).to_contain_text(
        format_money(paid_total, "USD")
    )
    expect(page.get_by_role("link", name=paid_number)).to_be_visible()
    expect(page.get_by_role("link", name=unpaid_number)).to_be_visible()
    page.screenshot(path="var/test-results/admin-customer.png", full_page=True)

    # The orders list, narrowed to what this customer spent more than the paid order on.
    admin.go_to("Orders")
    today = datetime.now(UTC).date()
    page.get_by_label("Search orders").fill(shopper)
    page.get_by_label("Placed from").fill(today.isoformat())
    page.get_by_label("Placed to").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("The end date must be on or after the start date.")).to_be_visible()

    page.get_by_label("Placed to").fill(today.isoformat())
    page.get_by_label("Total from").fill(str(paid_total + 1))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=unpaid_number)).to_be_visible()
    expect(page.get_by_role("link", name=paid_number)).to_have_count(0)
    assert unpaid_total > paid_total
    page.screenshot(path="var/test-results/admin-orders-filtered.png", full_page=True)


def test_notes_and_tags_on_a_customer_follow_them_to_their_orders(page: Page, unique: str) -> None:
    shopper = create_account("n" + unique, roles=frozenset({RoleName.USER}))
    mug = create_product(f"n{unique}", name=f"Noted Mug {unique}", price="12.00")
    number, _ = place_order_for(shopper, mug, paid=True)
    admin = AdminDashboard(page).open_signed_in(
        create_account("na" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Customers")
    page.get_by_role("textbox", name="Search accounts").fill(shopper)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("row", name=shopper).get_by_role("link", name=shopper).click()
    expect(page.get_by_role("heading", name=shopper)).to_be_visible()

    tags = page.get_by_label("Tags", exact=True)
    tags.fill("wrong/tag")
    page.get_by_role("button", name="Save tags").click()
    expect(tags).to_have_accessible_description(re.compile("separated by commas"))
    tags.fill(f"Wholesale {unique}, VIP")
    page.get_by_role("button", name="Save tags").click()
    expect(page.get_by_role("status").filter(has_text="Tags saved.")).to_be_visible()
    expect(page.get_by_role("list", name="Tags")).to_contain_text(f"wholesale {unique}")
    page.get_by_label("Add a note").fill("Prefers deliveries after 5 pm")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Prefers deliveries after 5 pm")).to_be_visible()
    page.screenshot(path="var/test-results/admin-customer-notes.png", full_page=True)

    # The order's page shows them; the orders list finds the order by the tag.
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name="Customer notes and tags")).to_be_visible()
    expect(page.get_by_text("Prefers deliveries after 5 pm")).to_be_visible()
    admin.go_to("Orders")
    page.get_by_label("Customer tag").fill(f"WHOLESALE {unique}")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
