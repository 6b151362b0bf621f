"""Staff read what the shop sent or stored; only admins may."""

import re

from playwright.sync_api import Page, expect

from backend.accounts import registration
from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, run
from tests.e2e.pages.admin import AdminDashboard


def test_an_admin_reads_a_sent_verification_email(page: Page, unique: str) -> None:
    shopper_email = f"newcomer-{unique}@example.com"
    run(
        lambda: registration.create_user(
            username=f"newcomer_{unique}", email=shopper_email, password=PASSWORD, status="pending"
        )
    )
    admin = AdminDashboard(page).open_signed_in(
        create_account(unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Messages")

    row = page.get_by_role("row").filter(has_text=shopper_email)
    # The worker renders and stores the message moments after the account was created.
    for _ in range(20):
        if row.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(row).to_contain_text("sent")  # the browser tests' shop has a mail server
    row.get_by_role("link", name="Confirm your e-mail address for Kestrel Goods").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("To " + shopper_email)
    # The text as sent, but the one-time link only went to the shopper's mailbox.
    expect(dialog).to_contain_text("/verify-email?token=[removed]")
    expect(dialog).not_to_contain_text(re.compile(r"token=(?!\[removed\])"))


def test_a_moderator_is_told_messages_need_the_customers_permission(
    page: Page, unique: str
) -> None:
    admin = AdminDashboard(page).open_signed_in(
        create_account(unique, roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.expect_signed_in()
    expect(admin.nav_link("Messages")).to_have_count(0)
    admin.open("/admin/messages")
    admin.expect_signed_in()  # a fresh page: the session is checked over a new websocket
    expect(page.get_by_role("alert")).to_have_text(
        "Your staff groups do not give the “Customers” permission this page needs: "
        "ask an administrator."
    )
    expect(page.get_by_role("table")).to_have_count(0)
