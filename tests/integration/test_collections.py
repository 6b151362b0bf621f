"""Collections: rule-based ones follow the catalog as it changes, manual ones keep the
merchant's order, both only while their dates say so; the listing under them is a
category's (filters, sorting, facets); bad input is refused per field."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.accounts.schemas import Viewer
from backend.catalog import listing_queries as catalog_listing
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog.listing import ListingQuery
from backend.catalog.schemas import Listing
from backend.catalog.variant_queries import variant_for_product
from backend.catalog.variants import update_variants
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.merchandising import queries, services, storefront_catalog
from backend.merchandising.rules import CollectionRule
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct


async def _names(slug: str, params: dict[str, str] | None = None) -> list[str]:
    result = await storefront_catalog.list_collection_products(slug, params or {}, strict=True)
    return [item.name for item in result.listing.items]


async def _save(data: dict[str, object], collection_id: uuid.UUID | None = None) -> uuid.UUID:
    return await services.save_collection(collection_id, data, actor=await catalog_manager())


async def test_a_rule_based_collection_follows_the_catalog_without_a_job(
    make_product: MakeProduct, unique: str
) -> None:
    brand = f"Fjell {unique}"
    cheap = await make_product(name=f"Cheap {unique}", brand=brand, price=Decimal("49.99"))
    await make_product(name=f"Dear {unique}", brand=brand, price=Decimal("50.00"))
    await make_product(name=f"Other {unique}", brand="Testbrand", price=Decimal("9.00"))
    await _save(
        {
            "title": f"Fjell under 50 {unique}",
            "kind": "rules",
            "rules": [
                {"field": "brand", "operator": "is", "value": brand},
                {"field": "price", "operator": "below", "value": "50"},
            ],
        }
    )
    slug = f"fjell-under-50-{unique}".lower()
    assert await _names(slug) == [f"Cheap {unique}"]

    # A new product that matches appears; a price raised past the line leaves.
    await make_product(name=f"New {unique}", brand=brand, price=Decimal("20.00"))
    assert sorted(await _names(slug)) == [f"Cheap {unique}", f"New {unique}"]
    await catalog.update_product(cheap, {"price": Decimal("55.00")}, actor=await catalog_manager())
    assert await _names(slug) == [f"New {unique}"]

    # "any" instead of "all": either rule is enough.
    found = await queries.count_matching(
        [
            CollectionRule(field="brand", operator="is", value=brand),
            CollectionRule(field="price", operator="below", value="10"),
        ],
        "any",
        actor=await catalog_manager(),
    )
    assert found >= 4  # the three of the brand and the 9.00 one (other tests add more)


async def test_on_sale_new_and_attribute_rules(make_product: MakeProduct, unique: str) -> None:
    brand = f"Sale {unique}"
    marked_down = await make_product(
        name=f"Marked down {unique}", brand=brand, attributes={"colour": "Teal"}
    )
    await make_product(name=f"Full price {unique}", brand=brand, attributes={"colour": "Red"})
    variant = await variant_for_product(marked_down)
    await update_variants(
        marked_down,
        {variant: {"compare_at_price": Decimal("29.99")}},
        actor=await catalog_manager(),
    )
    base = {"kind": "rules", "match": "all"}
    brand_rule = {"field": "brand", "operator": "is", "value": brand}
    await _save(
        {
            **base,
            "title": f"On sale {unique}",
            "rules": [brand_rule, {"field": "on_sale", "operator": "is"}],
        }
    )
    await _save(
        {
            **base,
            "title": f"Teal {unique}",
            "rules": [
                brand_rule,
                {"field": "attribute", "operator": "equals", "name": "Colour", "value": "Teal"},
            ],
        }
    )
    await _save(
        {
            **base,
            "title": f"New in {unique}",
            "rules": [brand_rule, {"field": "created", "operator": "within_days", "value": "30"}],
        }
    )
    slug = unique.lower()
    assert await _names(f"on-sale-{slug}") == [f"Marked down {unique}"]
    assert await _names(f"teal-{slug}") == [f"Marked down {unique}"]
    assert len(await _names(f"new-in-{slug}")) == 2


async def test_a_manual_collection_keeps_the_merchants_order_and_the_listing_filters(
    make_product: MakeProduct, unique: str
) -> None:
    first = await make_product(name=f"Alpha {unique}", brand="Alder", price=Decimal("30"))
    second = await make_product(name=f"Beta {unique}", brand="Birch", price=Decimal("10"))
    third = await make_product(name=f"Gamma {unique}", brand="Alder", price=Decimal("20"))
    hidden = await make_product(name=f"Hidden {unique}", is_active=False)
    data: dict[str, object] = {
        "title": f"Picks {unique}",
        "kind": "manual",
        "product_ids": [str(third), str(first), str(second), str(hidden)],
    }
    collection_id = await _save(data)
    slug = f"picks-{unique}".lower()
    # Without a sort: the merchant's order.
    assert await _names(slug) == [f"Gamma {unique}", f"Alpha {unique}", f"Beta {unique}"]
    by_price = {"sort_by": "price"}
    assert await _names(slug, by_price) == [f"Beta {unique}", f"Gamma {unique}", f"Alpha {unique}"]
    assert await _names(slug, {"brand": "Alder"}) == [f"Gamma {unique}", f"Alpha {unique}"]
    facets = await storefront_catalog.list_collection_products(
        slug, {}, strict=True, with_facets=True
    )
    assert {(f.value, f.count) for f in facets.listing.brands} == {("Alder", 2), ("Birch", 1)}

    # Reordered: the page follows at once (its cache key moves with the collection).
    await _save({**data, "product_ids": [str(second), str(first)]}, collection_id)
    assert await _names(slug) == [f"Beta {unique}", f"Alpha {unique}"]


async def test_a_collection_page_reads_its_listing_once_and_a_page_past_the_end_the_last(
    make_product: MakeProduct, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    products = [await make_product(name=f"Pick {n} {unique}") for n in range(3)]
    await _save(
        {
            "title": f"Three {unique}",
            "kind": "manual",
            "product_ids": [str(p) for p in products],
        }
    )
    slug = f"three-{unique}".lower()
    reads: list[int] = []
    list_products = catalog_listing.list_products

    async def counted(query: ListingQuery, **options: Any) -> Listing:
        reads.append(query.page)
        return await list_products(query, **options)

    monkeypatch.setattr(catalog_listing, "list_products", counted)

    first = await storefront_catalog.list_collection_products(slug, {"limit": "2"}, strict=False)
    assert [item.name for item in first.listing.items] == [f"Pick 0 {unique}", f"Pick 1 {unique}"]
    assert reads == [1]

    reads.clear()
    past = await storefront_catalog.list_collection_products(
        slug, {"limit": "2", "page": "7"}, strict=False
    )
    assert (past.query.page, [item.name for item in past.listing.items]) == (
        2,
        [f"Pick 2 {unique}"],
    )
    assert reads == [7, 2]


async def test_dates_show_and_hide_a_collection_without_a_restart(unique: str) -> None:
    now = datetime.now(UTC)
    base: dict[str, object] = {"kind": "manual", "home_position": 0}
    await _save(
        {**base, "title": f"Later {unique}", "starts_at": (now + timedelta(seconds=2)).isoformat()}
    )
    await _save(
        {**base, "title": f"Over {unique}", "ends_at": (now - timedelta(seconds=1)).isoformat()}
    )
    await _save({**base, "title": f"Now {unique}", "home_position": 1})
    await _save({"kind": "manual", "title": f"Off home {unique}"})
    slug = unique.lower()
    with pytest.raises(NotFoundError):
        await queries.get_live_collection(f"later-{slug}")
    with pytest.raises(NotFoundError):
        await queries.get_live_collection(f"over-{slug}")
    home = [c.title for c in await queries.list_home_collections() if unique in c.title]
    assert home == [f"Now {unique}"]

    await asyncio.sleep(2.2)
    assert (await queries.get_live_collection(f"later-{slug}")).title == f"Later {unique}"
    home = [c.title for c in await queries.list_home_collections() if unique in c.title]
    assert home == [f"Later {unique}", f"Now {unique}"]  # position 0 before 1
    statuses = {
        row.collection.title: row.status
        for row in await queries.list_collections(await catalog_manager())
        if unique in row.collection.title
    }
    assert statuses[f"Over {unique}"] == "ended"
    assert statuses[f"Later {unique}"] == "active"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "kind": "manual"}, "title"),
        ({"title": "R", "kind": "rules"}, "form"),
        (
            {
                "title": "R",
                "kind": "rules",
                "rules": [{"field": "price", "operator": "below", "value": "lots"}],
            },
            "rules.0",
        ),
        (
            {
                "title": "R",
                "kind": "rules",
                "rules": [{"field": "brand", "operator": "below", "value": "X"}],
            },
            "rules.0",
        ),
        ({"title": "R", "kind": "manual", "slug": "Not a slug!"}, "slug"),
        ({"title": "R", "kind": "manual", "image_url": "javascript:alert(1)"}, "image_url"),
        (
            {
                "title": "R",
                "kind": "manual",
                "starts_at": "2026-12-01T00:00:00+00:00",
                "ends_at": "2026-11-01T00:00:00+00:00",
            },
            "form",
        ),
    ],
)
async def test_bad_input_is_refused_with_a_message_per_field(
    data: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await _save(data)
    assert field in refused.value.field_errors


async def test_a_taken_address_or_a_vanished_product_is_named(unique: str) -> None:
    await _save({"title": f"Twin {unique}", "kind": "manual"})
    with pytest.raises(InvalidInputError) as taken:
        await _save({"title": f"Twin {unique}", "kind": "manual"})
    assert "slug" in taken.value.field_errors
    with pytest.raises(InvalidInputError) as vanished:
        await _save(
            {"title": f"Ghost {unique}", "kind": "manual", "product_ids": [str(uuid.uuid4())]}
        )
    assert "product_ids" in vanished.value.field_errors


async def test_only_administrators_manage_collections(shopper_viewer: Viewer, unique: str) -> None:
    with pytest.raises(PermissionDeniedError):
        await services.save_collection(
            None, {"title": unique, "kind": "manual"}, actor=shopper_viewer
        )
    with pytest.raises(PermissionDeniedError):
        await queries.list_collections(shopper_viewer)


async def test_deleting_a_collection_takes_its_page_not_its_products(
    make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(name=f"Stays {unique}")
    collection_id = await _save(
        {"title": f"Gone {unique}", "kind": "manual", "product_ids": [str(product)]}
    )
    await services.delete_collection(collection_id, actor=await catalog_manager())
    with pytest.raises(NotFoundError):
        await queries.get_live_collection(f"gone-{unique}".lower())
    assert (await catalog_queries.get_product(product)).summary.name == f"Stays {unique}"
