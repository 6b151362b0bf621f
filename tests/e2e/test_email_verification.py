"""The link in the verification e-mail confirms the address, once."""

from playwright.sync_api import Page, expect

from backend.accounts import registration
from tests.e2e.data import PASSWORD, run
from tests.e2e.mail import link_in, wait_for_mail
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, SignInForm, Storefront
from tests.fixtures.mail import SmtpServer


def test_the_emailed_link_activates_the_account_once(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    email = f"verify-{unique}@example.com"
    run(
        lambda: registration.create_user(
            username=f"verify_{unique}", email=email, password=PASSWORD, status="pending"
        )
    )
    # The recipient's own e-mail: the copy the shop keeps has no usable link.
    link = link_in(wait_for_mail(mailbox, email), "/verify-email?token=")

    page.goto(link)
    expect(page.get_by_role("heading", name="E-mail address confirmed")).to_be_visible(
        timeout=HYDRATION_TIMEOUT_MS
    )
    page.get_by_role("button", name="Sign in").click()
    SignInForm(page).sign_in(email, PASSWORD)
    Storefront(page).expect_signed_in()

    # A fresh page over a new websocket, right after signing in: the hydration wait.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible(
        timeout=HYDRATION_TIMEOUT_MS
    )
