"""The merchant sells to Germany: a zone "EU" with a weight-banded method and 19 % VAT
included in prices; a German shopper sees prices "incl. VAT" and the right shipping at
checkout; an address outside every zone is refused before payment."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from backend.accounts.permissions import DefaultGroup
from backend.core.db import session_scope
from tests.e2e.data import PASSWORD, create_account, create_product, run, shop_configuration_kept
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer

# A process reads the zones and tax rates behind prices' tax note at most once a second
# (backend/shipping/quotes.py, backend/tax/rates.py): another process sees a change then.
PRICE_NOTE_FRESH_AFTER_MS = 1_100


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    """A browser set to German: the storefront labels prices as Germany expects."""
    return {**browser_context_args, "locale": "de-DE"}


@pytest.fixture
def seeded_shipping_and_tax_back() -> Iterator[None]:
    with shop_configuration_kept():
        yield


def _weigh(slug: str, grams: int) -> None:
    async def update() -> None:
        async with session_scope() as session:
            await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() takes no TextClause
                text(
                    "UPDATE product_variants SET weight_grams = :grams WHERE product_id = "
                    "(SELECT id FROM products WHERE slug = :slug)"
                ),
                params={"grams": grams, "slug": slug},
            )

    run(update)


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.usefixtures("seeded_shipping_and_tax_back")
def test_a_merchant_ships_to_germany_with_vat_included(page: Page, unique: str) -> None:
    admin = AdminDashboard(page).open_signed_in(
        create_account("tax" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Shipping")
    # Germany leaves the first zone for a zone of its own.
    page.get_by_role("button", name="Edit zone Everywhere we ship").click()
    countries = page.get_by_label("Countries", exact=True)
    # The form is drawn again with the zone's values: type only once they are there.
    expect(countries).to_have_value("US, CA, GB, DE, FR, NL")
    countries.fill("US, CA, GB, FR, NL")
    page.get_by_role("button", name="Save zone").click()
    expect(page.get_by_text("Zone Everywhere we ship saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="New zone")).to_be_visible()
    page.get_by_label("Zone name").fill("EU")
    page.get_by_label("Countries", exact=True).fill("DE, AT")
    page.get_by_role("button", name="Save zone").click()
    expect(page.get_by_text("Zone EU saved.")).to_be_visible()

    _choose(page, "Zone", "EU")
    page.get_by_label("Method name").fill("DHL Parcel")
    page.get_by_label("Code", exact=True).fill("dhl-parcel")
    page.get_by_label("Delivery time").fill("2–3 business days")
    _choose(page, "Priced", "By weight (kg bands)")
    page.get_by_label("Bands").fill("2: 5.90; 10: 12.50")
    page.get_by_role("button", name="Save method").click()
    expect(page.get_by_text("Method DHL Parcel saved.")).to_be_visible()
    eu = page.get_by_test_id("shipping-zone").filter(
        has=page.get_by_role("heading", name="EU", exact=True)
    )
    expect(eu).to_contain_text("By weight: up to 2 kg $5.90; up to 10 kg $12.50")
    page.screenshot(path="var/test-results/admin-shipping-eu.png", full_page=True)

    admin.go_to("Taxes")
    page.get_by_role("switch", name="Catalog prices include tax").click()
    expect(page.get_by_text("Catalog prices now include tax.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Germany"))).to_contain_text("19%")
    page.get_by_label("Country", exact=True).last.fill("DE")
    page.get_by_label("Weight (kg)").fill("3")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("checkout-preview")
    expect(preview).to_contain_text("Germany: zone EU.")
    expect(preview).to_contain_text("DHL Parcel: $12.50 (2–3 business days)")
    expect(preview).to_contain_text("Standard rate: VAT 19%")

    # A German shopper: 2 kettles of 1.5 kg, 3 kg in all.
    slug = create_product(f"vat{unique}", name=f"Kettle {unique}", price="119.00")
    _weigh(slug, 1500)
    page.wait_for_timeout(PRICE_NOTE_FRESH_AFTER_MS)
    buyer = Buyer(page)
    buyer.add_to_cart(slug, quantity=2)
    expect(page.get_by_test_id("price-note")).to_have_text("incl. VAT")
    buyer.open_checkout()
    _choose(page, "Country", "Germany")
    expect(page.get_by_role("radio", name=re.compile("DHL Parcel"))).to_be_checked()
    expect(page.get_by_text("DHL Parcel · 2–3 business days · $12.50")).to_be_visible()
    buyer.fill_details(
        email=f"de-{unique}@example.com", **{"Postal code": "10115", "City": "Berlin"}
    )
    expect(page.get_by_text("incl. VAT 19%")).to_be_visible()
    expect(page.get_by_test_id("order-total")).to_have_text("$250.50")  # 238 + 12.50
    page.screenshot(path="var/test-results/checkout-vat-included.png", full_page=True)

    # The merchant narrows "EU" to Berlin (postcodes 10…, 12…): Munich is refused.
    admin.open("/admin/shipping")
    page.get_by_role("button", name="Edit zone EU").click()
    expect(page.get_by_label("Countries", exact=True)).to_have_value("DE, AT")
    page.get_by_label("Postcode prefixes (optional)").fill("10, 12")
    page.get_by_role("button", name="Save zone").click()
    expect(page.get_by_text("Zone EU saved.")).to_be_visible()
    buyer.open_checkout()
    _choose(page, "Country", "Germany")
    page.get_by_label("E-mail", exact=True).fill(f"de-{unique}@example.com")
    for label, value in {
        "Full name": "Grace Guest",
        "Address": "Marienplatz 1",
        "Postal code": "80331",
        "City": "München",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue to review").click()
    expect(page.get_by_text("We don't ship to 80331, Germany")).to_be_visible()
    expect(page.get_by_role("heading", name="Review your order")).to_have_count(0)
