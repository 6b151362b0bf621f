"""A merchant builds collections in the admin and shoppers find them: a rule-based one
(its live count in the editor, on the home page, its page listing what matches) and a
hand-picked one in the merchant's order; crawlers get each page's content and
CollectionPage data in the first HTML, and a scheduled one is a real 404 until it starts."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_category, create_product, run
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


def _sign_in_admin(page: Page, unique: str) -> AdminDashboard:
    admin = AdminDashboard(page).open_signed_in(
        create_account("col" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.expect_signed_in()
    return admin


def test_a_rule_based_collection_reaches_the_home_page_and_lists_what_matches(
    page: Page, unique: str
) -> None:
    brand = f"Fjord{unique[:6]}"
    category = create_category(f"cl{unique}")
    for number, price in enumerate(("12.00", "48.00", "80.00")):
        create_product(
            f"cl{number}{unique}",
            name=f"Fjord Lamp {number} {unique}",
            price=price,
            brand=brand,
            category_id=category,
        )
    admin = _sign_in_admin(page, unique)
    admin.go_to("Collections")
    page.get_by_role("button", name="New collection").click()
    page.get_by_label("Title").fill(f"Lamps under 50 {unique}")
    page.get_by_label("Place on the home page").fill("1")
    page.get_by_role("radio", name="Matched by rules").click()
    value = page.get_by_label("Value of rule 1")
    value.fill(brand)
    value.blur()
    expect(page.get_by_text("3 active products match now.")).to_be_visible()
    page.get_by_role("button", name="Add a rule").click()
    page.get_by_role("combobox", name="Condition of rule 2").click()
    page.get_by_role("option", name="Price").click()
    expect(page.get_by_text("Complete the rules to see how many products match.")).to_be_visible()
    second = page.get_by_label("Value of rule 2")
    second.fill("50")
    second.blur()
    expect(page.get_by_text("2 active products match now.")).to_be_visible()
    page.screenshot(path="var/test-results/admin-collection-rules.png", full_page=True)
    page.get_by_role("button", name="Save collection").click()
    row = page.get_by_role("row", name=f"Lamps under 50 {unique}")
    expect(row).to_contain_text("brand is " + brand + " and price below 50.00")
    expect(row).to_contain_text("Active")

    shop = Storefront(page).open("/")
    tile = page.get_by_role("link", name=re.compile(f"Lamps under 50 {unique}"))
    expect(tile).to_be_visible()
    tile.click()
    expect(page.get_by_role("heading", name=f"Lamps under 50 {unique}", level=1)).to_be_visible()
    expect(shop.product_link(f"Fjord Lamp 0 {unique}")).to_be_visible()
    expect(shop.product_link(f"Fjord Lamp 1 {unique}")).to_be_visible()
    expect(shop.product_link(f"Fjord Lamp 2 {unique}")).to_have_count(0)
    expect(page.get_by_text("2 products")).to_be_visible()
    page.screenshot(path="var/test-results/storefront-collection.png", full_page=True)


def test_a_hand_picked_collection_keeps_the_merchants_order(page: Page, unique: str) -> None:
    category = create_category(f"hp{unique}")
    names = ("Alpha", "Beta", "Gamma")
    for name in names:
        create_product(f"hp{name}{unique}", name=f"{name} Mug {unique}", category_id=category)
    admin = _sign_in_admin(page, unique)
    admin.open("/admin/collections")
    page.get_by_role("button", name="New collection").click()
    page.get_by_label("Title").fill(f"Mug picks {unique}")
    for name in names:
        page.get_by_label("Find a product to add").fill(f"{name} Mug {unique}")
        page.get_by_role("button", name=f"Add {name} Mug {unique}").click()
    picked = page.get_by_test_id("picked-product")
    expect(picked).to_have_count(3)
    # The keyboard's way: Beta up, before Alpha.
    page.get_by_role("button", name=f"Move Beta Mug {unique} up").click()
    expect(picked.first).to_contain_text(f"Beta Mug {unique}")
    # The mouse's way: Gamma dragged onto the first place.
    picked.nth(2).drag_to(picked.first)
    expect(picked).to_contain_text([f"Gamma Mug {unique}", f"Beta Mug {unique}", "Alpha"])
    page.get_by_role("button", name="Save collection").click()
    expect(page.get_by_text(f"“Mug picks {unique}” saved.")).to_be_visible()

    Storefront(page).open(f"/collections/mug-picks-{unique}".lower())
    cards = page.locator(".product-card a.card-link")
    expect(cards).to_have_text([f"{name} Mug {unique}" for name in ("Gamma", "Beta", "Alpha")])
    expect(page.get_by_role("combobox", name="Sort by")).to_have_text("Featured")


def test_crawlers_read_a_collection_and_a_scheduled_one_is_not_found(
    base_url: str, unique: str
) -> None:
    from backend.catalog import queries as catalog_queries
    from backend.merchandising.services import save_collection
    from tests.fixtures.accounts import catalog_manager

    slug = create_product(f"cr{unique}", name=f"Crawled Bowl {unique}")
    product_id = run(lambda: catalog_queries.get_product_page(slug)).summary.id

    async def make() -> None:
        admin = await catalog_manager()
        await save_collection(
            None,
            {
                "title": f"Bowls {unique}",
                "description": "Bowls for every table.",
                "kind": "manual",
                "product_ids": [str(product_id)],
            },
            actor=admin,
        )
        later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        await save_collection(
            None, {"title": f"Soon {unique}", "kind": "manual", "starts_at": later}, actor=admin
        )

    run(make)
    answer = httpx.get(f"{base_url}/collections/bowls-{unique}".lower())
    assert answer.status_code == 200
    page = answer.text
    body = page[page.index("<body") :]
    before_scripts = body[: body.index("<script")]
    assert f"<h1>Bowls {unique}</h1>" in before_scripts
    assert f"Crawled Bowl {unique}" in html.unescape(before_scripts)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    kinds = {data["@type"]: data for data in map(json.loads, blocks)}
    assert kinds["CollectionPage"]["url"] == f"{base_url}/collections/bowls-{unique}".lower()
    assert kinds["CollectionPage"]["description"] == "Bowls for every table."
    assert httpx.get(f"{base_url}/collections/soon-{unique}".lower()).status_code == 404


def test_a_marked_down_product_shows_its_sale_on_cards_and_in_an_on_sale_collection(
    page: Page, unique: str
) -> None:
    from decimal import Decimal

    from backend.catalog import queries as catalog_queries
    from backend.catalog.variant_queries import variant_for_product
    from backend.catalog.variants import update_variants
    from backend.merchandising.services import save_collection
    from tests.fixtures.accounts import catalog_manager

    category = create_category(f"sl{unique}")
    marked = create_product(
        f"sl{unique}", name=f"Marked Vase {unique}", price="40.00", category_id=category
    )
    create_product(f"fp{unique}", name=f"Full Vase {unique}", price="45.00", category_id=category)
    product_id = run(lambda: catalog_queries.get_product_page(marked)).summary.id

    async def mark_down() -> None:
        admin = await catalog_manager()
        variant = await variant_for_product(product_id)
        await update_variants(
            product_id, {variant: {"compare_at_price": Decimal("55.00")}}, actor=admin
        )
        await save_collection(
            None,
            {
                "title": f"Vases on sale {unique}",
                "kind": "rules",
                "rules": [
                    {"field": "category", "operator": "within", "value": str(category)},
                    {"field": "on_sale", "operator": "is"},
                ],
            },
            actor=admin,
        )

    run(mark_down)
    shop = Storefront(page).open(f"/categories/cat-sl{unique}")
    card = page.locator(".product-card", has=shop.product_link(f"Marked Vase {unique}"))
    expect(card.get_by_text("Sale", exact=True)).to_be_visible()
    expect(card).to_contain_text("$40.00")
    expect(card).to_contain_text("Was $55.00")
    full = page.locator(".product-card", has=shop.product_link(f"Full Vase {unique}"))
    expect(full.get_by_text("Sale", exact=True)).to_have_count(0)
    page.screenshot(path="var/test-results/storefront-sale-card.png")

    shop.open(f"/collections/vases-on-sale-{unique}".lower())
    expect(shop.product_link(f"Marked Vase {unique}")).to_be_visible()
    expect(shop.product_link(f"Full Vase {unique}")).to_have_count(0)


def test_dates_are_typed_and_read_in_the_shops_time_zone(page: Page, unique: str) -> None:
    from dataclasses import asdict

    from backend.merchandising import queries as collection_queries
    from backend.shop_settings import services as shop_settings
    from backend.shop_settings.values import store_settings
    from tests.e2e.data import shop_configuration_kept
    from tests.fixtures.accounts import catalog_manager

    async def set_zone(name: str) -> None:
        current = asdict(await store_settings())
        await shop_settings.update_store_settings(
            shop_settings.StoreSettingsInput(**(current | {"time_zone": name})),
            actor=await catalog_manager(),
        )

    with shop_configuration_kept():
        run(lambda: set_zone("Pacific/Auckland"))
        admin = _sign_in_admin(page, unique)
        admin.open("/admin/collections")
        page.get_by_role("button", name="New collection").click()
        page.get_by_label("Title").fill(f"Auckland dawn {unique}")
        starts = page.get_by_label("Shown from (Pacific/Auckland)")
        starts.fill("2036-01-01T06:00")
        page.get_by_role("button", name="Save collection").click()
        row = page.get_by_role("row", name=f"Auckland dawn {unique}")
        expect(row).to_contain_text("Scheduled")
        row.get_by_role("button", name=f"Edit Auckland dawn {unique}").click()
        # Read back as typed, in the shop's zone (it is 17:00 UTC the day before).
        expect(page.get_by_label("Shown from (Pacific/Auckland)")).to_have_value("2036-01-01T06:00")

        async def stored_start() -> datetime | None:
            rows = await collection_queries.list_collections(await catalog_manager())
            return next(r.collection.starts_at for r in rows if unique in r.collection.title)

        assert run(stored_start) == datetime(2035, 12, 31, 17, tzinfo=UTC)
