"""A phone order: staff build a draft for a customer (a product and a custom line, a
discount with its reason), complete it with a payment link, and the customer pays it by
card from the e-mailed link in a browser of their own. And a bank transfer recorded by
hand for an order the shopper left unpaid."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.accessibility import assert_accessible
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.mail import link_in
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS
from tests.fixtures.mail import SmtpServer

PHONE = {"width": 390, "height": 844}


def _mail_with_subject(
    mailbox: SmtpServer, to: str, subject: str, *, within: float = 30
) -> EmailMessage:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for message in mailbox.handler.to(to):
            if str(message["Subject"]).startswith(subject):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no e-mail “{subject}…” to {to} within {within:.0f} s")


def _path_of(link: str) -> str:
    """The link on the shop under test (the e-mail names the shop's configured address)."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_a_phone_order_is_paid_by_the_customer_through_its_payment_link(
    page: Page, browser: Browser, base_url: str, unique: str, mailbox: SmtpServer
) -> None:
    create_product(f"ph{unique}", name=f"Phone Lamp {unique}", price="40.00", stock=5)
    customer = f"caller{unique}@example.com"
    admin = AdminDashboard(page).open_signed_in(
        create_account("desk" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.expect_signed_in()
    admin.go_to("Draft orders")
    page.get_by_label("Customer e-mail (optional)").fill(customer)
    page.get_by_role("button", name="New draft order").click()
    expect(page.get_by_role("heading", name="Customer")).to_be_visible()

    page.get_by_label("Find a product").fill(f"Phone Lamp {unique}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Add Phone Lamp {unique}").click()
    expect(page.get_by_role("status")).to_contain_text("Added.")
    page.get_by_label("Description").fill("Gift wrapping")
    page.get_by_label("Unit price").fill("5.00")
    page.get_by_role("button", name="Add custom line").click()
    expect(page.get_by_role("status")).to_contain_text("Custom line added.")

    page.get_by_label("Full name").fill("Carla Caller")
    page.get_by_label("Address", exact=True).fill("9 Harbour Lane")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Country code").fill("US")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_role("status")).to_contain_text("Customer saved.")

    page.get_by_label("Discount amount").fill("5.00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Check the highlighted fields.")
    expect(page.get_by_text("Say why the customer gets this discount.")).to_be_visible()
    page.get_by_label("Reason for the discount").fill("Called about a late parcel")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Staff discount (Called about a late parcel)")).to_be_visible()
    total = page.get_by_test_id("order-total").inner_text()
    assert_accessible(page, "/admin/drafts/<id>")
    page.screenshot(path="var/test-results/admin-draft-order.png", full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the draft editor is {overflow} px wider than a phone"
    page.screenshot(path="var/test-results/admin-draft-order-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("button", name="Complete order").click()
    heading = page.get_by_role("heading", name=re.compile(r"^Order [A-Z]+-"))
    expect(heading).to_be_visible()
    number = heading.inner_text().split()[-1]

    request = _mail_with_subject(mailbox, customer, "Pay for")
    pay_link = link_in(request, "/pay?token=")
    assert number in str(request["Subject"])

    shopper = browser.new_page(base_url=base_url)
    try:
        shopper.goto(_path_of(pay_link))
        # A new browser: the page loads and hydrates, opens the link, then loads the order.
        expect(shopper.get_by_test_id("order-total")).to_have_text(
            total, timeout=2 * HYDRATION_TIMEOUT_MS
        )
        shopper.get_by_label("Card number").fill("4242 4242 4242 4242")
        shopper.get_by_role("button", name="Pay ").click()
        expect(shopper.get_by_text("Payment received")).to_be_visible()
        expect(shopper.get_by_text("Payment: paid")).to_be_visible()
        shopper.screenshot(path="var/test-results/storefront-paid-by-link.png", full_page=True)
        # A link used up (the order is paid) no longer opens anything.
        shopper.goto(_path_of(pay_link))
        expect(shopper.get_by_role("alert")).to_contain_text(
            "This payment link does not work", timeout=HYDRATION_TIMEOUT_MS
        )
    finally:
        shopper.close()


def test_staff_record_a_bank_transfer_for_an_unpaid_order(
    page: Page, unique: str, mailbox: SmtpServer
) -> None:
    shopper = create_account("tr" + unique, roles=frozenset({RoleName.USER}))
    slug = create_product(f"tr{unique}", name=f"Transfer Vase {unique}", price="30.00")
    number, _ = place_order_for(shopper, slug, paid=False)
    admin = AdminDashboard(page).open_signed_in(
        create_account("clerk" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.expect_signed_in()
    page.goto(f"/admin/orders/{number}")
    expect(page.get_by_role("heading", name="Record a payment")).to_be_visible()
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_label("Payment reference")).to_have_accessible_description(
        re.compile("Enter the transfer's reference")
    )
    page.get_by_label("Payment reference").fill("BANK-REF-2211")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment recorded; the customer is told.")).to_be_visible()
    expect(page.get_by_text("Bank transfer, reference BANK-REF-2211")).to_be_visible()
    expect(page.get_by_role("heading", name="Record a payment")).to_have_count(0)
    received = _mail_with_subject(mailbox, shopper, "Payment received")
    assert number in str(received["Subject"])
