"""Out of stock: a guest (confirming by e-mail) and a signed-in shopper (one click) ask to
be told; staff see the demand, add stock in the admin inventory, and the e-mails arrive."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.mail import link_in, wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront
from tests.e2e.pages.wishlist import NotifyBox
from tests.fixtures.mail import SmtpServer


def test_subscribers_are_emailed_once_when_staff_restock(
    page: Page, browser: Browser, base_url: str, mailbox: SmtpServer, unique: str
) -> None:
    name = f"Notice Teapot {unique}"
    slug = create_product(f"n{unique}", name=name, stock=0)
    guest = f"guest-{unique}@example.com"

    # A guest asks, then confirms through the e-mailed link.
    shop = Storefront(page).open(f"/products/{slug}")
    box = NotifyBox(page)
    expect(page.get_by_role("button", name="Sold out")).to_be_visible()
    expect(box.heading).to_be_visible()
    page.screenshot(path="var/test-results/stock-notice-product-page.png", full_page=True)
    box.email.fill(guest)
    box.submit.click()
    expect(box.status).to_contain_text("Almost done")
    confirmation = wait_for_mail(mailbox, guest)
    assert "Confirm" in confirmation["Subject"]
    shop.open(link_in(confirmation, "/stock-notices/confirm"))
    expect(page.get_by_role("heading", name="You are on the list")).to_be_visible()

    # A signed-in shopper asks with one click.
    shopper = create_account(f"n{unique}", roles=frozenset({RoleName.USER}))
    shopper_page = browser.new_context(base_url=base_url).new_page()
    try:
        Storefront(shopper_page).open_signed_in(shopper, PASSWORD, f"/products/{slug}")
        NotifyBox(shopper_page).submit.click()
        expect(NotifyBox(shopper_page).status).to_contain_text(f"we will e-mail {shopper}")
        expect(shopper_page.get_by_role("button", name="Cancel notice")).to_be_visible()
        shopper_page.screenshot(path="var/test-results/stock-notice-signed-in.png", full_page=True)
    finally:
        shopper_page.context.close()

    # Staff see the demand, then restock.
    admin = AdminDashboard(page).open_signed_in(
        create_account("m" + unique, roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.go_to("Demand")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(f"E2E-n{unique}")
    expect(row.get_by_role("cell").nth(3)).to_have_text("2")
    page.screenshot(path="var/test-results/admin-demand.png", full_page=True)

    admin.go_to("Inventory")
    page.get_by_role("textbox", name="Product SKU").fill(f"E2E-n{unique}")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Change").fill("5")
    page.get_by_role("combobox", name="Reason").click()
    page.get_by_role("option", name="Restock").click()
    page.get_by_role("button", name="Save adjustment").click()
    expect(page.get_by_text("Stock at Main warehouse is now 5.")).to_be_visible()

    for address, count in ((guest, 2), (shopper, 1)):
        notice = wait_for_mail(mailbox, address, count=count)
        assert notice["Subject"] == f"{name} is back in stock"
        assert f"/products/{slug}" in link_in(notice, "/products/")
    admin.go_to("Demand")
    expect(page.get_by_role("row").filter(has_text=name)).to_have_count(0)
