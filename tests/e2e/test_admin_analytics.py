"""A shopper's visit shows up in the admin's analytics: funnel, best sellers, most viewed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer


def test_a_purchase_is_in_the_funnel_and_the_best_sellers(page: Page, unique: str) -> None:
    name = f"Analytics Clock {unique}"
    # Priced and viewed above anything else the test session sells or shows, so it makes
    # both top-ten lists.
    slug = create_product(f"n{unique}", name=name, price="9000.00")
    buyer = Buyer(page)
    for _ in range(25):
        buyer.shop.open(f"/products/{slug}")
    buyer.add_to_cart(slug)
    buyer.open_checkout()
    buyer.fill_details(email=f"funnel-{unique}@example.com")
    buyer.pay("4242 4242 4242 4242")
    expect(page.get_by_test_id("order-status")).to_have_text("Order: paid")
    page.context.clear_cookies()

    admin = AdminDashboard(page).open_signed_in(
        create_account("y" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Analytics")

    funnel = page.get_by_role("region", name="Funnel")
    for step in ("Viewed a product", "Added to cart", "Started checkout", "Paid"):
        expect(funnel.get_by_role("row", name=step)).to_have_text(re.compile(rf"^{step}\s*[1-9]"))
    expect(page.get_by_role("region", name="Best sellers")).to_contain_text(name)
    expect(page.get_by_role("region", name="Most viewed")).to_contain_text(name)
    page.screenshot(path="var/test-results/admin-analytics.png", full_page=True)
