"""A signed-in shopper leaves a cart; the reminder e-mail's link restores it in any browser,
and the admin's analytics count the reminder and the revenue it recovered. A guest is
reminded only after ticking "E-mail me about this cart" at checkout."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.analytics import cart_recovery
from backend.analytics.cart_recovery import RecoveryFigures
from backend.analytics.reports import DEFAULT_DAYS
from backend.core.clock import utcnow
from backend.core.money import format_money
from backend.settings import get_settings
from backend.shop_settings.values import DEFAULTS as SEEDED
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_product,
    leave_account_cart_idle,
    place_paid_order_from_guest_cart,
    run,
    run_cart_reminders_later,
)
from tests.e2e.mail import link_in, wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import Storefront, wait_until_loaded
from tests.fixtures.mail import SmtpServer


async def _recovery_in_the_default_period() -> RecoveryFigures:
    today = utcnow().date()
    return await cart_recovery.recovery_between(today - timedelta(days=DEFAULT_DAYS - 1), today)


def test_the_reminder_link_restores_the_abandoned_cart_in_a_fresh_browser(
    page: Page, browser: Browser, base_url: str, unique: str, mailbox: SmtpServer
) -> None:
    email = create_account(f"rc{unique}", roles=frozenset({RoleName.USER}))
    name = f"Reminder Teapot {unique}"
    slug = create_product(f"rc{unique}", name=name, price="12.50")

    # A signed-in shopper fills a cart and leaves.
    Storefront(page).open_signed_in(email, PASSWORD)
    buyer = Buyer(page)
    buyer.add_to_cart(slug, quantity=2)
    buyer.expect_cart_count(2)

    # Not yet due: no reminder. Then, the cart left alone long enough, the shop's worker
    # runs the job.
    delay = SEEDED.cart_reminder_after_minutes
    leave_account_cart_idle(email, minutes=delay - 5)
    run_cart_reminders_later(minutes_ahead=0)
    assert mailbox.handler.to(email) == []
    leave_account_cart_idle(email, minutes=delay + 1)
    assert run_cart_reminders_later(minutes_ahead=0) >= 1
    reminder = wait_for_mail(mailbox, email)
    assert reminder["Subject"] == "You left something in your cart at Kestrel Goods"
    text = reminder.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"2 × {name}  $12.50 each  $25.00" in text
    restore_link = link_in(reminder, "/cart/restore?token=")
    assert "/cart-reminders/unsubscribe?token=" in text
    html = reminder.get_body(("html",)).get_content()  # type: ignore[union-attr]
    email_view = browser.new_page()
    email_view.set_content(html)
    email_view.screenshot(path="var/test-results/cart-reminder-email.png", full_page=True)
    email_view.close()
    # Running the job again sends nothing more for this cart.
    leave_account_cart_idle(email, minutes=delay + 2)
    run_cart_reminders_later(minutes_ahead=0)
    assert len(mailbox.handler.to(email)) == 1

    # Another browser, signed out: the link fills that browser's cart.
    fresh = browser.new_context(base_url=base_url)
    try:
        other = fresh.new_page()
        other.goto(restore_link)
        wait_until_loaded(other)
        expect(other.get_by_text("Welcome back! Your cart is as you left it")).to_be_visible()
        expect(other.get_by_role("link", name=name)).to_be_visible()
        expect(other.get_by_text("$12.50 each")).to_be_visible()
        expect(other.get_by_test_id("subtotal")).to_have_text("$25.00")
        other.screenshot(path="var/test-results/cart-restored.png", full_page=True)

        # A tampered link restores nothing and says so.
        other.goto(restore_link[:-3] + ("xyz" if not restore_link.endswith("xyz") else "abc"))
        wait_until_loaded(other)
        expect(other.get_by_text("This link does not work")).to_be_visible()

        # The restored cart is bought in that browser (checkout has tests of its own):
        # recovered revenue.
        cookie = next(
            c["value"] for c in fresh.cookies() if c["name"] == get_settings().cart_cookie_name
        )
        # Other tests of the session may have recovered orders too: count from here.
        before = run(_recovery_in_the_default_period)
        total = place_paid_order_from_guest_cart(cookie, f"recovered-{unique}@example.com")
        assert total == Decimal("29.95")
    finally:
        fresh.close()

    page.context.clear_cookies()
    admin = AdminDashboard(page).open_signed_in(
        create_account("ra" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Analytics")
    recovery = page.get_by_role("region", name="Abandoned-cart recovery")
    # This test's order adds $25.00 of teapots + $4.95 standard shipping (no US tax).
    revenue = format_money(before.recovered_revenue + Decimal("29.95"), "USD")
    expect(recovery.get_by_role("group", name="Recovered revenue")).to_contain_text(revenue)
    expect(recovery.get_by_role("group", name="Recovered orders")).to_have_text(
        re.compile(rf"^Recovered orders\s*{before.recovered_orders + 1}$")
    )
    expect(recovery.get_by_role("group", name="Reminders sent")).to_have_text(
        re.compile(r"^Reminders sent\s*[1-9]\d*$")
    )
    recovery.screenshot(path="var/test-results/admin-cart-recovery.png")
    page.screenshot(path="var/test-results/admin-analytics-recovery.png", full_page=True)


def test_a_guest_who_ticked_the_box_is_reminded_and_can_unsubscribe(
    page: Page, unique: str, mailbox: SmtpServer
) -> None:
    email = f"guest-cart-{unique}@example.com"
    slug = create_product(f"rg{unique}", name=f"Guest Vase {unique}", price="30.00")
    buyer = Buyer(page)
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    # The form is drawn again when the page's data arrives (shipping choices with it):
    # type after that, or the typing is lost.
    expect(page.get_by_text("Standard ·")).to_be_visible()
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Full name").click()  # leaving the field keeps the address, if asked
    box = page.get_by_role("checkbox", name="E-mail me about this cart")
    expect(box).not_to_be_checked()  # opt-in: nobody is e-mailed who did not ask
    box.check()
    expect(box).to_be_checked()
    page.screenshot(path="var/test-results/checkout-cart-reminder-opt-in.png", full_page=True)
    page.wait_for_timeout(500)  # the tick reaches the server

    assert run_cart_reminders_later(minutes_ahead=SEEDED.cart_reminder_after_minutes + 1)
    reminder = wait_for_mail(mailbox, email)
    unsubscribe = link_in(reminder, "/cart-reminders/unsubscribe?token=")

    page.goto(unsubscribe)
    wait_until_loaded(page)
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    page.screenshot(path="var/test-results/cart-reminders-unsubscribed.png", full_page=True)


def test_a_shopper_who_turned_reminders_off_gets_none(
    page: Page, unique: str, mailbox: SmtpServer
) -> None:
    email = create_account(f"ro{unique}", roles=frozenset({RoleName.USER}))
    slug = create_product(f"ro{unique}", name=f"Quiet Lamp {unique}", price="20.00")
    shop = Storefront(page).open_signed_in(email, PASSWORD, "/account")
    switch = page.get_by_role("switch", name="Remind me about items left in my cart")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.get_by_text("No more cart reminders.")).to_be_visible()
    shop.open("/account")
    expect(switch).not_to_be_checked()
    page.screenshot(path="var/test-results/account-cart-reminders-off.png", full_page=True)

    Buyer(page).add_to_cart(slug)
    run_cart_reminders_later(minutes_ahead=SEEDED.cart_reminder_after_minutes + 1)
    assert mailbox.handler.to(email) == []
