"""Paying through Stripe in the browser: Stripe.js (localstripe's double) collects the card,
the server charges the PaymentMethod, 3-D Secure happens in Stripe.js's own dialog."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.data import create_product
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import wait_until_loaded
from tests.e2e.stripe_shop import running_stripe_shop

# A second app build: its first `npm install` alone can outlast the suite's 300 s per-test
# timeout when the registry is slow (the fixture waits up to 600 s for the app to serve).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def stripe_shop(localstripe: str, live_shop: str) -> Iterator[str]:
    yield from running_stripe_shop(localstripe)


def checkout_with_stripe(page: Page, shop: str, unique: str, card: str) -> None:
    slug = create_product(f"s{unique}", name=f"Stripe Kettle {unique}", price="45.00")
    buyer = Buyer(page)
    page.goto(f"{shop}/products/{slug}")
    wait_until_loaded(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("to your cart")).to_be_visible()
    page.goto(f"{shop}/checkout")
    wait_until_loaded(page)
    buyer.fill_details(email=f"stripe-{unique}@example.com")
    form = page.get_by_label("Card details")
    form.get_by_placeholder("number").fill(card)
    form.get_by_placeholder("exp_month").fill("12")
    form.get_by_placeholder("exp_year").fill("31")
    form.get_by_placeholder("cvc").fill("123")
    page.get_by_role("button", name=re.compile("Place order and pay")).click()


def test_a_card_payment_through_stripe_js(page: Page, stripe_shop: str, unique: str) -> None:
    checkout_with_stripe(page, stripe_shop, unique, "4242424242424242")

    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")


def test_three_d_secure_in_stripe_js_then_paid(page: Page, stripe_shop: str, unique: str) -> None:
    checkout_with_stripe(page, stripe_shop, unique, "4000002760003184")
    page.get_by_role("button", name="Complete authentication").click()

    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")


def test_a_card_stripe_declines_says_so(page: Page, stripe_shop: str, unique: str) -> None:
    checkout_with_stripe(page, stripe_shop, unique, "4000000000000341")

    expect(page.get_by_role("alert")).to_contain_text("declined")
    expect(page).to_have_url(re.compile(r"/checkout"))
