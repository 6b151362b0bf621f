"""A customer calls about a paid order before it ships: staff swap the jacket's size for a
dearer one and add another product, see the new totals and what the customer will owe,
and save.
The customer is e-mailed the changes and a link to pay the difference, pays it by card in
a browser of their own, and the order page shows it paid, with the edit on its timeline."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.accessibility import assert_accessible
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_jacket,
    create_product,
    place_order_for,
)
from tests.e2e.mail import link_in
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, wait_until_loaded
from tests.e2e.test_draft_orders import _mail_with_subject, _path_of
from tests.fixtures.mail import SmtpServer

PHONE = {"width": 390, "height": 844}


def test_staff_swap_a_size_and_add_to_a_paid_order_and_the_customer_pays_the_difference(
    page: Page, browser: Browser, base_url: str, unique: str, mailbox: SmtpServer
) -> None:
    shopper = create_account("ed" + unique, roles=frozenset({RoleName.USER}))
    slug, sizes = create_jacket(f"ed{unique}")
    jacket = f"Storm Jacket ed{unique}"
    create_product(f"em{unique}", name=f"Edit Mug {unique}", price="12.00", stock=5)
    number, _ = place_order_for(shopper, slug, paid=True, variant_id=sizes["Navy / M"])

    AdminDashboard(page).open_signed_in(
        create_account("ce" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})),
        PASSWORD,
        f"/admin/orders/{number}",
    )
    page.get_by_role("button", name="Change order").click()
    expect(page.get_by_role("heading", name="Change order", level=1)).to_be_visible()
    wait_until_loaded(page)
    expect(page.get_by_text("Nothing changed yet.")).to_be_visible()

    # The size swap: L on (a dearer size), M off.
    page.get_by_label("Find a product").fill(jacket)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Add {jacket} (Navy / L)").click()
    expect(page.get_by_text(f"Added 1 × {jacket} (Navy / L)")).to_be_visible()
    page.get_by_label("Find a product").fill(f"Edit Mug {unique}")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Add Edit Mug {unique}").click()
    expect(page.get_by_text(f"Added 1 × Edit Mug {unique}")).to_be_visible()
    page.get_by_role("button", name=f"Remove {jacket} (Navy / M)").click()
    expect(page.get_by_text(f"Removed 1 × {jacket} (Navy / M)")).to_be_visible()
    settlement = page.get_by_role("status").filter(has_text="The customer will owe")
    expect(settlement).to_contain_text("a link to pay it")
    owed = re.search(r"owe (\$[\d,.]+)", settlement.inner_text())
    assert owed is not None
    assert_accessible(page, "/admin/orders/<number>/edit")
    page.screenshot(path="var/test-results/admin-order-edit.png", full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the order editor is {overflow} px wider than a phone"
    page.screenshot(path="var/test-results/admin-order-edit-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"A link to pay {owed.group(1)} is on its way.")).to_be_visible()

    changed = _mail_with_subject(mailbox, shopper, f"Your order {number} was changed")
    said = str(changed.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert f"Removed 1 × {jacket} (Navy / M)" in said
    assert f"Added 1 × {jacket} (Navy / L)" in said
    pay_link = link_in(_mail_with_subject(mailbox, shopper, "Pay for"), "/pay?token=")

    customer = browser.new_page(base_url=base_url)
    try:
        customer.goto(_path_of(pay_link))
        pay = customer.get_by_role("button", name=f"Pay {owed.group(1)}")
        expect(pay).to_be_visible(timeout=2 * HYDRATION_TIMEOUT_MS)
        expect(customer.get_by_text("Payment: partially paid")).to_be_visible()
        customer.get_by_label("Card number").fill("4242 4242 4242 4242")
        pay.click()
        expect(customer.get_by_text("Payment received")).to_be_visible()
        expect(customer.get_by_text("Payment: paid")).to_be_visible()
        customer.screenshot(path="var/test-results/storefront-edit-difference-paid.png")
    finally:
        customer.close()

    page.goto(f"/admin/orders/{number}")
    expect(page.get_by_text(f"Added 1 × Edit Mug {unique}").first).to_be_visible()
    expect(page.get_by_text(f"1 × {jacket} (Navy / L)").first).to_be_visible()
    expect(page.get_by_text("Payment: paid")).to_be_visible()
    expect(page.get_by_role("button", name="Mark shipped")).to_be_visible()
