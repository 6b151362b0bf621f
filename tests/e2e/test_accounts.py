"""A shopper's account from sign-up to sign-out, password recovery, and the lock."""

import re

from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account
from tests.e2e.mail import link_in, wait_for_mail
from tests.e2e.pages.account import AccountPage, SignUpPage
from tests.e2e.pages.storefront import SignInForm, Storefront, wait_until_loaded
from tests.fixtures.mail import SmtpServer

NEW_PASSWORD = "plum tram violet cobble"


def test_sign_up_verify_sign_in_edit_profile_add_address_sign_out(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    email = f"new-{unique}@example.com"
    SignUpPage(page).open().fill(
        username=f"new_{unique}", email=email, password=PASSWORD, first="Nora", last="Newton"
    )
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    message = wait_for_mail(mailbox, email)
    assert message["Subject"] == "Confirm your e-mail address for Kestrel Goods"
    page.goto(link_in(message, "/verify-email?token="))
    expect(page.get_by_role("heading", name="E-mail address confirmed")).to_be_visible()

    page.goto("/sign-in")
    SignInForm(page).sign_in(email, PASSWORD)
    shop = Storefront(page)
    shop.expect_signed_in("Nora Newton")

    account = AccountPage(page).open()
    account.save_profile(first="Nora", last="North")
    expect(shop.account_menu).to_contain_text("Nora North")

    account.add_address(
        full_name="Nora North",
        line1="12 Harbour Street",
        postal_code="10001",
        city="New York",
        country="us",
    )
    addresses = account.section("Addresses")
    expect(addresses).to_contain_text("12 Harbour Street, 10001 New York, US")
    expect(addresses.get_by_text("Default for shipping")).to_be_visible()

    page.reload()
    expect(account.section("Addresses")).to_contain_text("12 Harbour Street")

    shop.sign_out()
    AccountPage(page).open()
    expect(page.get_by_text("Sign in to see your profile")).to_be_visible()


def test_sign_up_explains_each_problem_next_to_its_field(page: Page, unique: str) -> None:
    taken = create_account(unique, roles=frozenset({RoleName.USER}))
    sign_up = SignUpPage(page).open()
    sign_up.fill(username="x", email=taken, password="password123")
    expect(sign_up.field("Username")).to_have_accessible_description("Use 3 to 50 characters.")
    expect(sign_up.field("Password")).to_have_accessible_description(re.compile("most common"))

    # A taken e-mail looks like any other (its owner is told by e-mail instead).
    sign_up.fill(username=f"other_{unique}", email=taken, password=PASSWORD)
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.screenshot(path="var/test-results/sign-up-check-your-inbox.png", full_page=True)


def test_five_wrong_passwords_lock_the_account(page: Page, unique: str) -> None:
    email = create_account(unique, roles=frozenset({RoleName.USER}))
    form = SignInForm(page)
    page.goto("/sign-in")
    for _ in range(4):
        form.sign_in(email, "not my password")
        expect(form.alert).to_have_text("That e-mail and password do not match an account.")
    form.sign_in(email, "not my password")
    expect(form.alert).to_contain_text("this account is locked for 15 minutes")

    form.sign_in(email, PASSWORD)  # even the right password waits out the lock
    expect(form.alert).to_contain_text("locked")


def test_forgot_password_reset_by_emailed_link_then_sign_in(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    email = create_account(unique, roles=frozenset({RoleName.USER}))
    Storefront(page).open("/sign-in")
    expect(page.get_by_role("link", name="Forgot your password?")).to_have_attribute(
        "href", "/forgot-password"
    )
    Storefront(page).open("/forgot-password")
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account exists for {email}")

    link = link_in(wait_for_mail(mailbox, email), "/reset-password?token=")
    Storefront(page).open(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    page.goto("/sign-in")
    wait_until_loaded(page)  # a sign-in sent before the page is live goes nowhere
    form = SignInForm(page)
    form.sign_in(email, PASSWORD)
    expect(form.alert).to_have_text("That e-mail and password do not match an account.")
    form.sign_in(email, NEW_PASSWORD)
    Storefront(page).expect_signed_in()

    Storefront(page).open(link)  # the link works once
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD + " again")
    page.get_by_label("New password again").fill(NEW_PASSWORD + " again")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("This link does not work")


def test_unknown_email_gets_the_same_reset_answer(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    nobody = f"nobody-{unique}@example.com"
    Storefront(page).open("/forgot-password")
    page.get_by_label("E-mail").fill(nobody)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account exists for {nobody}")
    page.wait_for_timeout(1500)
    assert mailbox.handler.to(nobody) == []
