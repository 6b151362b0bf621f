"""The merchant sets the store's name, number format, legal details and order-number
prefix in Admin → Settings: the storefront (header, footer, tab titles, prices, the HTML
crawlers read) shows them and the next order is numbered with it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
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
    admin = AdminDashboard(page).open_signed_in(
        create_account("set" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
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


@pytest.mark.usefixtures("seeded_settings_back")
def test_a_renamed_shop_and_its_number_format_show_on_every_page(
    page: Page, unique: str, base_url: str
) -> None:
    slug = create_product(f"fmt{unique}", name=f"Lantern {unique}", price="1234.50")
    admin = AdminDashboard(page).open_signed_in(
        create_account("fmt" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Settings")
    name = page.get_by_label("Shop name")
    expect(name).to_have_value("Kestrel Goods")
    name.fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Give the shop a name.")).to_be_visible()
    page.get_by_label("Shop name").fill("Corner Store")
    page.get_by_label("How amounts are written").click()
    page.get_by_role("option", name="German (Germany): 1.234,50 $").click()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    expect(page.get_by_role("navigation", name="Admin navigation")).to_contain_text("Corner Store")

    page.wait_for_timeout(1_100)  # other processes read the settings at most once a second
    Storefront(page).open(f"/products/{slug}")
    expect(page).to_have_title(f"Lantern {unique} · Corner Store")
    expect(page.get_by_role("link", name="Corner Store home")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text("Corner Store")
    expect(page.locator("main")).to_contain_text(re.compile(r"1\.234,50\s\$"))
    page.screenshot(path="var/test-results/renamed-shop-product.png", full_page=True)

    crawled = httpx.get(f"{base_url}/products/{slug}").text
    assert f"<title>Lantern {unique} · Corner Store</title>" in crawled.replace(
        "<title data-first-paint>", "<title>"
    )
    assert "1.234,50\xa0$" in crawled
