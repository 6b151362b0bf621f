"""Every storefront page, as a guest and as a signed-in shopper, checked by axe-core
against the WCAG 2.1 A and AA rules, once its data has arrived: zero violations. (The admin
dashboard's pages get the same check in test_admin_pages.py.)"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.accessibility import assert_accessible
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_category,
    create_product,
    place_order_for,
    run,
)
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, SignInForm, wait_until_loaded

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def catalog() -> dict[str, str]:
    """A category of two products (one with a photo, one sold out) and a shopper with a
    paid order."""
    from backend.catalog import queries as catalog_queries

    unique = uuid.uuid4().hex[:10]
    category = create_category(f"ax{unique}", name=f"Axe Lamps {unique[:4]}")
    slug = create_product(
        f"ax{unique}",
        name=f"Reading Lamp {unique}",
        price="48.00",
        category_id=category,
        brand="Kestrel",
        description="A brass reading lamp with a linen shade.",
        image_urls=["https://images.example.com/reading-lamp.jpg"],
    )
    create_product(
        f"ay{unique}", name=f"Desk Lamp {unique}", price="32.50", stock=0, category_id=category
    )
    shopper = create_account(f"ax{unique}", roles=frozenset({RoleName.USER}))
    number, _ = place_order_for(shopper, slug, paid=True)
    category_slug = run(lambda: catalog_queries.get_product_page(slug)).breadcrumb[-1][1]
    return {"slug": slug, "category": category_slug, "shopper": shopper, "order": number}


def check(page: Page, path: str) -> None:
    page.goto(path)
    wait_until_loaded(page)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    assert_accessible(page, path)


def guest_pages(data: dict[str, str]) -> list[str]:
    return [
        "/",
        f"/categories/{data['category']}",
        f"/products/{data['slug']}",
        "/search?q=lamp",
        "/sign-in",
        "/sign-up",
        "/forgot-password",
        "/reset-password?token=expired",
        "/verify-email?token=expired",
        "/orders/lookup",
        "/gift-cards",
        "/gift-cards/balance",
        "/cart/restore?token=expired",
        "/cart-reminders/unsubscribe?token=expired",
        "/stock-notices/confirm?token=expired",
        "/stock-notices/cancel?token=expired",
        "/no-such-page",
    ]


def shopper_pages(data: dict[str, str]) -> list[str]:
    return [
        "/account",
        "/account/orders",
        "/account/wishlist",
        f"/orders/{data['order']}",
        f"/orders/{data['order']}/return",
        "/cart",
        "/checkout",
    ]


def test_every_storefront_page_passes_axe(page: Page, catalog: dict[str, str]) -> None:
    for path in guest_pages(catalog):
        check(page, path)
    page.goto("/sign-in")
    wait_until_loaded(page)  # a sign-in sent before the page is live goes nowhere
    SignInForm(page).sign_in(catalog["shopper"], PASSWORD)
    expect(page.get_by_role("button", name="Account menu")).to_be_visible(
        timeout=HYDRATION_TIMEOUT_MS
    )
    page.goto(f"/products/{catalog['slug']}")
    wait_until_loaded(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    for path in shopper_pages(catalog):
        check(page, path)


def test_the_shop_passes_axe_on_a_phone(page: Page, catalog: dict[str, str]) -> None:
    page.set_viewport_size(PHONE)
    for path in guest_pages(catalog)[:4]:
        check(page, path)
