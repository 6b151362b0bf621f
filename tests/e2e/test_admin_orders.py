"""Admins work on orders: ship one (the shopper sees it and is e-mailed), refund part of one."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.mail import wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer
from tests.fixtures.mail import SmtpServer


def buy(page: Page, unique: str, email: str, price: str = "50.00") -> tuple[str, str]:
    """A guest buys one product and pays; returns (order number, order page URL)."""
    slug = create_product(f"o{unique}", name=f"Admin Order Lamp {unique}", price=price)
    buyer = Buyer(page)
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    buyer.fill_details(email=email)
    buyer.pay("4242 4242 4242 4242")
    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")
    url = page.url.split("?")[0]
    return url.rsplit("/", 1)[1], url


def open_order_as_admin(page: Page, unique: str, number: str) -> None:
    admin = AdminDashboard(page).open_signed_in(
        create_account("a" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Orders")
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    page.get_by_role("textbox", name="Search orders").fill(number)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()


def test_a_shipped_order_shows_as_shipped_to_the_shopper_who_is_emailed(
    page: Page, browser: object, unique: str, mailbox: SmtpServer
) -> None:
    email = f"ship-{unique}@example.com"
    number, shopper_url = buy(page, unique, email)
    staff = browser.new_page(base_url=page.url.split("/orders")[0])  # type: ignore[attr-defined]
    try:
        open_order_as_admin(staff, unique, number)
        staff.get_by_label("Carrier").fill("UPS")
        staff.get_by_label("Tracking number").fill(f"1Z{unique}")
        staff.get_by_role("button", name="Mark shipped").click()
        expect(staff.get_by_test_id("order-status")).to_have_text("Order: shipped")
        staff.screenshot(path="var/test-results/admin-order.png")
        AdminDashboard(staff).go_to("Audit log")
        staff.get_by_role("textbox", name="Filter by what changed").fill(number)
        staff.get_by_role("button", name="Filter").click()
        entry = staff.get_by_role("row").filter(has_text=number).filter(has_text="fulfilled")
        expect(entry).to_contain_text(f"1Z{unique}")
        staff.screenshot(path="var/test-results/admin-audit.png")
    finally:
        staff.close()

    page.goto(shopper_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Order: shipped")
    shipped = wait_for_mail(mailbox, email, count=3)  # confirmation, receipt, shipped
    body = shipped.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"1Z{unique}" in body


def test_a_partial_refund_is_recorded_and_emailed(
    page: Page, unique: str, mailbox: SmtpServer
) -> None:
    email = f"refund-{unique}@example.com"
    number, _ = buy(page, unique, email, price="80.00")
    page.context.clear_cookies()
    open_order_as_admin(page, unique, number)

    page.get_by_label("Amount").fill("30")
    page.get_by_role("button", name="Refund").click()

    expect(page.get_by_role("status")).to_contain_text("Refunded")
    expect(page.get_by_text("Payment: partially refunded")).to_be_visible()
    expect(page.get_by_label("Order timeline")).to_contain_text(re.compile(r"Refunded \$30\.00"))
    refund_mail = wait_for_mail(mailbox, email, count=3)
    assert "$30.00" in refund_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
