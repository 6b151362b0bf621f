"""The merchant sets the store's legal details and order-number prefix in Admin →
Settings: the storefront footer shows them and the next order is numbered with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_product,
    place_order_for,
    shop_configuration_kept,
)
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


@pytest.fixture
def seeded_settings_back() -> Iterator[None]:
    with shop_configuration_kept():
        yield


@pytest.mark.usefixtures("seeded_settings_back")
def test_settings_reach_the_storefront_and_new_orders(page: Page, unique: str) -> None:
    admin = AdminDashboard(page).open()
    admin.sign_in_form.sign_in(
        create_account("set" + unique, roles=frozenset({RoleName.ADMIN})), PASSWORD
    )
    admin.go_to("Settings")
    prefix = page.get_by_label("Order-number prefix")
    expect(prefix).to_have_value("KG")  # the form is drawn with the settings: then type
    prefix.fill("zz9")
    page.get_by_label("Return window (days after delivery)").fill("400")
    page.get_by_role("button", name="Save settings").click()
    expect(
        page.get_by_text("Enter a number", exact=False).or_(
            page.get_by_text("less than or equal to 365", exact=False)
        )
    ).to_be_visible()
    page.get_by_label("Return window (days after delivery)").fill("14")
    page.get_by_label("Legal name").fill("Kestrel Goods Ltd")
    page.get_by_label("VAT number").fill("GB123456789")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    expect(page.get_by_label("Order-number prefix")).to_have_value("ZZ9")
    page.screenshot(path="var/test-results/admin-settings.png", full_page=True)

    page.wait_for_timeout(1_100)  # other processes read the settings at most once a second
    Storefront(page).open("/")
    expect(page.get_by_role("contentinfo")).to_contain_text(
        "Kestrel Goods Ltd · VAT number GB123456789"
    )
    email = create_account("buyer" + unique, roles=frozenset({RoleName.USER}))
    number, _ = place_order_for(email, create_product(f"set{unique}"), paid=False)
    assert number.startswith("ZZ9-")
