"""The admin overview: sales figures for admins, updated live when an order comes in."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog import queries as catalog
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments.test_gateway import SUCCEEDS
from tests.e2e.data import PASSWORD, create_account, create_product, run
from tests.e2e.pages.admin import AdminDashboard
from tests.fixtures.checkout import checkout_details, tab_that_placed


def place_paid_order(slug: str) -> str:
    async def place() -> str:
        product = (await catalog.get_product_page(slug)).summary.id
        owner = cart_owners.guest_owner(cart_owners.new_guest_token())
        assert owner is not None
        await carts.add_item(owner, product, 1)
        placed = await orders.place_order(
            cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
        )
        await payments.pay_order(
            placed.id,
            shopper=tab_that_placed(placed.id),
            payment_method=SUCCEEDS,
            attempt_key="live",
        )
        return placed.number

    return run(place)


def test_a_new_order_appears_on_the_open_overview_without_reload(page: Page, unique: str) -> None:
    slug = create_product(f"v{unique}", name=f"Live Chair {unique}", price="120.00")
    AdminDashboard(page).open_signed_in(
        create_account("o" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    latest = page.get_by_role("region", name="Latest orders")
    expect(latest).to_be_visible()
    revenue_today = page.get_by_role("group", name="Revenue today")
    before = revenue_today.inner_text()

    number = place_paid_order(slug)  # a shopper elsewhere

    expect(latest.get_by_role("link", name=number)).to_be_visible(timeout=15_000)
    expect(revenue_today).not_to_have_text(before)
    page.screenshot(path="var/test-results/admin-overview.png", full_page=True)


def test_moderators_see_no_sales_figures(page: Page, unique: str) -> None:
    AdminDashboard(page).open_signed_in(
        create_account("p" + unique, roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    expect(page.get_by_text("Your access: Inventory, Reviews.")).to_be_visible()
    expect(page.get_by_role("group", name="Revenue today")).to_have_count(0)
    expect(page.get_by_role("group", name="Products", exact=True)).to_have_count(0)
    expect(page.get_by_role("region", name="Latest orders")).to_have_count(0)
