"""Buying, as shoppers do it: cart, guest checkout, paying with test cards, order pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.mail import wait_for_mail
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import SignInForm, wait_until_loaded
from tests.fixtures.mail import SmtpServer


def test_guest_buys_two_products_and_gets_a_confirmation(
    page: Page, unique: str, mailbox: SmtpServer
) -> None:
    mug = create_product(f"m{unique}", name=f"Checkout Mug {unique}", price="12.50", stock=5)
    lamp = create_product(f"l{unique}", name=f"Checkout Lamp {unique}", price="40.00", stock=5)
    buyer = Buyer(page)
    email = f"guest-{unique}@example.com"

    buyer.add_to_cart(mug, quantity=2)
    buyer.add_to_cart(lamp)
    buyer.expect_cart_count(3)
    buyer.shop.open("/cart")
    expect(page.get_by_test_id("subtotal")).to_have_text("$65.00")
    page.screenshot(path="var/test-results/cart.png")
    buyer.open_checkout()
    buyer.fill_details(email=email)
    expect(page.get_by_test_id("order-total")).to_have_text("$69.95")  # + $4.95 shipping
    page.screenshot(path="var/test-results/checkout-review.png")
    buyer.pay("4242 4242 4242 4242")

    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text("Thank you! Your order is placed")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")
    page.screenshot(path="var/test-results/order-confirmation.png")
    buyer.expect_cart_count(0)
    wait_for_mail(mailbox, email, count=2)  # the order confirmation and the payment receipt
    bodies = [m.get_body(("plain",)).get_content() for m in mailbox.handler.to(email)]  # type: ignore[union-attr]
    assert any(f"Checkout Mug {unique}" in body and "$69.95" in body for body in bodies)


def test_a_declined_card_says_so_and_keeps_the_cart(page: Page, unique: str) -> None:
    vase = create_product(f"v{unique}", name=f"Declined Vase {unique}", price="30.00", stock=3)
    buyer = Buyer(page)
    buyer.add_to_cart(vase)
    buyer.open_checkout()
    buyer.fill_details(email=f"decline-{unique}@example.com")

    buyer.pay("4000 0000 0000 0002")

    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    buyer.expect_cart_count(1)
    buyer.pay("4242 4242 4242 4242")  # another card, the same order
    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")


def test_a_card_that_needs_confirmation_is_confirmed_on_the_bank_page(
    page: Page, unique: str
) -> None:
    kettle = create_product(f"k{unique}", name=f"Secure Kettle {unique}", price="80.00")
    buyer = Buyer(page)
    buyer.add_to_cart(kettle)
    buyer.open_checkout()
    buyer.fill_details(email=f"secure-{unique}@example.com")

    buyer.pay("4000 0027 6000 3184")
    expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
    page.get_by_role("button", name="Confirm payment").click()

    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")


def test_a_signed_in_buyer_sees_the_order_in_their_history_with_its_timeline(
    page: Page, unique: str
) -> None:
    email = create_account(unique, roles=frozenset({RoleName.USER}))
    chair = create_product(f"c{unique}", name=f"History Chair {unique}", price="99.00")
    buyer = Buyer(page)
    buyer.shop.open("/sign-in")
    SignInForm(page).sign_in(email, PASSWORD)
    buyer.shop.expect_signed_in()
    buyer.add_to_cart(chair)
    buyer.open_checkout()
    expect(page.get_by_label("E-mail")).to_have_value(email)
    buyer.fill_details(email=None)
    buyer.pay("4242424242424242")
    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")
    number = page.url.rsplit("/", 1)[1].split("?")[0]

    buyer.shop.open("/account/orders")
    page.get_by_role("link", name=number).click()

    timeline = page.get_by_label("Order timeline")
    expect(timeline).to_contain_text("Order awaiting payment")
    expect(timeline).to_contain_text("Payment paid")
    expect(timeline).to_contain_text("Order paid")
    page.screenshot(path="var/test-results/order-history-detail.png")


def test_a_guest_finds_an_order_by_number_and_email_only(page: Page, unique: str) -> None:
    lamp = create_product(f"g{unique}", name=f"Lookup Lamp {unique}", price="20.00")
    buyer = Buyer(page)
    email = f"lookup-{unique}@example.com"
    buyer.add_to_cart(lamp)
    buyer.open_checkout()
    buyer.fill_details(email=email)
    buyer.pay("4242 4242 4242 4242")
    expect(page.get_by_test_id("order-status")).to_be_visible()
    number = page.url.rsplit("/", 1)[1].split("?")[0]

    other = page.context.browser.new_page()  # type: ignore[union-attr]
    try:
        other.goto(page.url.split("/orders/")[0] + f"/orders/{number}")
        expect(other.get_by_role("heading", name="Order not found")).to_be_visible()
        other.goto(page.url.split("/orders/")[0] + "/orders/lookup")
        wait_until_loaded(other)  # a form typed into before its loads finish is redrawn
        other.get_by_label("Order number").fill(number)
        other.get_by_label("E-mail address").fill("someone-else@example.com")
        other.get_by_role("button", name="Find order").click()
        expect(other.get_by_role("alert")).to_contain_text("We found no order")
        other.get_by_label("E-mail address").fill(email)
        other.get_by_role("button", name="Find order").click()
        expect(other.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    finally:
        other.close()
