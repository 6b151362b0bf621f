"""Listings match plain SQL on the same data, pages stay within a few SQL statements, the
cache never serves a stale price, and bad query strings never break anything."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.catalog import category_queries, listing_queries, queries, services, taxonomy
from backend.catalog.inputs import CategoryCreate
from backend.catalog.listing import ListingQuery, parse_listing_query
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.redis import get_redis
from backend.merchandising import storefront_catalog
from backend.merchandising.promotions import forget_cached
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.sql_statements import counted_statements

BRANDS = ("Alder", "Birch", "Cedar")
COLOURS = ("red", "green", "blue", "black")


@pytest.fixture
async def shelf(unique: str) -> dict[str, object]:
    """A category with a subcategory and 30 varied products (one inactive)."""
    admin = await catalog_manager()
    top = await taxonomy.create_category(
        CategoryCreate(name=f"Shelf {unique}", slug=f"shelf-{unique}"), actor=admin
    )
    sub = await taxonomy.create_category(
        CategoryCreate(name=f"Sub {unique}", slug=f"sub-{unique}", parent_id=top), actor=admin
    )
    for number in range(30):
        await services.create_product(
            {
                "name": f"Item {number:02d} {unique}",
                "sku": f"SH-{unique}-{number}",
                "price": Decimal(5 + (number * 7) % 50) + Decimal("0.99"),
                "category_id": sub if number % 3 == 0 else top,
                "brand": BRANDS[number % 3],
                "stock_quantity": 0 if number % 5 == 0 else number,
                "attributes": {"colour": COLOURS[number % 4]},
                "is_active": number != 29,
            },
            actor=admin,
        )
    return {"slug": f"shelf-{unique}", "top": top, "sub": sub}


async def _sql_ids(
    where: str, order: str, params: dict[str, object], limit: int, offset: int
) -> list[uuid.UUID]:
    async with session_scope() as session:
        rows = await session.exec(  # type: ignore[call-overload]
            text(
                "SELECT id FROM products "
                f"WHERE is_active AND category_id IN (:top, :sub) AND {where} "
                f"ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            params={**params, "limit": limit, "offset": offset},
        )
        return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("params", "where", "order"),
    [
        ({}, "true", "created_at DESC, id DESC"),
        ({"sort_by": "price"}, "true", "price ASC, id ASC"),
        ({"sort_by": "price", "order": "desc"}, "true", "price DESC, id DESC"),
        ({"sort_by": "name"}, "true", "name ASC, id ASC"),
        ({"brand": "Birch"}, "brand = 'Birch'", "created_at DESC, id DESC"),
        (
            {"brand": "Alder,Cedar", "sort_by": "price"},
            "brand IN ('Alder', 'Cedar')",
            "price ASC, id ASC",
        ),
        (
            {"min_price": "20", "max_price": "40"},
            "price BETWEEN 20 AND 40",
            "created_at DESC, id DESC",
        ),
        ({"in_stock": "1"}, "stock_quantity > 0", "created_at DESC, id DESC"),
        ({"colour": "red"}, "attributes->>'colour' = 'red'", "created_at DESC, id DESC"),
        (
            {"colour": "red", "brand": "Alder", "in_stock": "1"},
            "attributes->>'colour' = 'red' AND brand = 'Alder' AND stock_quantity > 0",
            "created_at DESC, id DESC",
        ),
    ],
)
async def test_listing_matches_plain_sql_page_by_page(
    shelf: dict[str, object], params: dict[str, str], where: str, order: str
) -> None:
    for page in (1, 2, 3):
        query = parse_listing_query(
            {**params, "category": shelf["slug"], "limit": "7", "page": str(page)}, strict=True
        )
        listing = await listing_queries.list_products(query)
        expected = await _sql_ids(
            where, order, {"top": shelf["top"], "sub": shelf["sub"]}, 7, (page - 1) * 7
        )
        assert [item.id for item in listing.items] == expected


async def test_subcategory_listing_holds_only_its_products(
    shelf: dict[str, object], unique: str
) -> None:
    listing = await listing_queries.list_products(ListingQuery(category=f"sub-{unique}", limit=100))
    assert listing.total == 10  # numbers 0, 3, … 27
    assert {item.category_name for item in listing.items} == {f"Sub {unique}"}


async def test_facet_counts_match_the_products(shelf: dict[str, object]) -> None:
    listing = await listing_queries.list_products(
        ListingQuery(category=str(shelf["slug"]), brands=("Alder",)), with_facets=True
    )
    # The brand facet ignores the brand filter itself, so other brands can be added.
    assert {facet.value: facet.count for facet in listing.brands} == {
        "Alder": 10,
        "Birch": 10,
        "Cedar": 9,
    }
    colours = {facet.value: facet.count for facet in listing.attributes["colour"]}
    assert sum(colours.values()) == listing.total


async def test_each_storefront_page_load_runs_at_most_five_statements(
    shelf: dict[str, object],
) -> None:
    await get_redis().flushdb()  # cold caches: the worst case
    forget_cached()
    with counted_statements() as home:
        await category_queries.list_top_categories()
        await storefront_catalog.list_new_arrivals(limit=8)
    with counted_statements() as category:
        await category_queries.get_category_tree()
        listing = await storefront_catalog.list_products(
            parse_listing_query({"category": str(shelf["slug"]), "colour": "red"}, strict=False),
            with_facets=True,
        )
    with counted_statements() as product:
        await storefront_catalog.get_product_page(listing.items[0].slug)
    assert len(home) <= 5
    assert len(category) <= 5
    assert len(product) <= 5

    with counted_statements() as warm:  # the same pages again come from the cache
        await category_queries.list_top_categories()
        await queries.get_product_page(listing.items[0].slug)
    assert warm == []


async def test_an_edited_price_is_never_served_stale(shelf: dict[str, object]) -> None:
    listing = await listing_queries.list_products(ListingQuery(category=str(shelf["slug"])))
    item = listing.items[0]
    await queries.get_product_page(item.slug)  # now cached

    await services.update_product(item.id, {"price": "123.45"}, actor=await catalog_manager())

    page = await queries.get_product_page(item.slug)
    assert page.summary.price == Decimal("123.45")
    relisted = await listing_queries.list_products(ListingQuery(category=str(shelf["slug"])))
    assert next(i for i in relisted.items if i.id == item.id).price == Decimal("123.45")


async def test_a_deactivated_product_leaves_listings_and_its_page(shelf: dict[str, object]) -> None:
    listing = await listing_queries.list_products(ListingQuery(category=str(shelf["slug"])))
    item = listing.items[0]
    await services.set_product_active(item.id, active=False, actor=await catalog_manager())
    assert item.id not in {
        i.id
        for i in (
            await listing_queries.list_products(ListingQuery(category=str(shelf["slug"])))
        ).items
    }
    from backend.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        await queries.get_product_page(item.slug)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "-1"}, "page"),
        ({"limit": "1000"}, "limit"),
        ({"min_price": "50", "max_price": "10"}, "max_price"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"order": "up"}, "order"),
        ({"min_price": "cheap"}, "min_price"),
        ({"page": "1e9"}, "page"),
    ],
)
def test_strict_parsing_names_the_bad_parameter(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_listing_query(params, strict=True)
    assert field in refused.value.field_errors


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page": "-1"}, {"page": 1}),
        ({"limit": "1000"}, {"limit": 100}),
        (
            {"min_price": "50", "max_price": "10"},
            {"min_price": Decimal(10), "max_price": Decimal(50)},
        ),
        ({"sort_by": "colour"}, {"sort_by": "created_at"}),
        ({"min_price": "NaN"}, {"min_price": None}),
    ],
)
def test_lenient_parsing_clamps_and_carries_on(
    params: dict[str, str], expected: dict[str, object]
) -> None:
    query = parse_listing_query(params, strict=False)
    for name, value in expected.items():
        assert getattr(query, name) == value
