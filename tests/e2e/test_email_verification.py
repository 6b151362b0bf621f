"""The link in the verification e-mail confirms the address, once."""

import re

from playwright.sync_api import Page, expect

from backend.accounts import services as accounts
from backend.notifications import queries as messages
from tests.e2e.data import PASSWORD, run
from tests.e2e.pages.storefront import SignInForm, Storefront


def _verification_link(email: str, page: Page) -> str:
    for _ in range(40):  # the worker stores the e-mail moments after sign-up
        found = run(lambda: messages.list_messages(recipient=email))
        if found.items:
            detail = run(lambda found=found: messages.get_message(found.items[0].id))
            match = re.search(r"https?://\S+/verify-email\?token=\S+", detail.body_text)
            assert match is not None
            return match.group(0)
        page.wait_for_timeout(250)
    raise AssertionError("no verification e-mail was stored")


def test_the_emailed_link_activates_the_account_once(page: Page, unique: str) -> None:
    email = f"verify-{unique}@example.com"
    run(
        lambda: accounts.create_user(
            username=f"verify_{unique}", email=email, password=PASSWORD, status="pending"
        )
    )
    link = _verification_link(email, page)

    page.goto(link)
    expect(page.get_by_role("heading", name="E-mail address confirmed")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    SignInForm(page).sign_in(email, PASSWORD)
    expect(Storefront(page).account_menu).to_be_visible()

    page.goto(link)
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
