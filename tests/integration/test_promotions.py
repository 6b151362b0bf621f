"""Automatic promotions: the sale price shows, sorts and filters in listings, is what the
product page, the cart and checkout charge, and the order keeps exactly what was applied;
the highest priority wins, then the lowest price; a promotion starts and ends on its dates
without a restart; bad input is refused per field."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, delete, select

from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.catalog.category_queries import get_category_tree
from backend.catalog.listing import ListingQuery
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.merchandising import promotion_services, promotions, storefront_catalog
from backend.merchandising import queries as merchandising_queries
from backend.merchandising.models import Promotion
from backend.merchandising.promotions import forget_cached
from backend.merchandising.services import save_collection
from backend.orders.models import OrderLine
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder


@pytest.fixture(autouse=True)
async def _no_promotions_left() -> AsyncIterator[None]:
    """Promotions apply shop-wide: none outlives its test."""
    yield
    async with session_scope() as session:
        await session.exec(delete(Promotion))  # type: ignore[call-overload]
    forget_cached()


async def _promote(**fields: object) -> uuid.UUID:
    data: dict[str, object] = {"title": "Sale", "kind": "percent", "value": "20", "target": "all"}
    data.update(fields)
    return await promotion_services.save_promotion(None, data, actor=await catalog_manager())


async def _slug(category: uuid.UUID) -> str:
    node = (await get_category_tree()).by_id(category)
    assert node is not None
    return node.slug


async def test_a_category_sale_prices_sorts_and_filters_the_listing(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    cheap = await make_product(price=Decimal("19.99"))
    dear = await make_product(price=Decimal("30.00"))
    await _promote(title="20 % off Lamps", target="category", category_id=str(category))
    slug = await _slug(category)

    listing = await storefront_catalog.list_products(
        ListingQuery(category=slug, sort_by="price", order="asc")
    )
    by_id = {item.id: item for item in listing.items}
    assert by_id[cheap].shown_price == Decimal("15.99")  # 19.99 − 4.00 (3.998 rounded once)
    assert by_id[dear].shown_price == Decimal("24.00")
    assert (by_id[cheap].badge, by_id[cheap].compare_at_display) == ("−20%", "$19.99")
    assert [item.id for item in listing.items] == [cheap, dear]
    assert (listing.price_min, listing.price_max) == (Decimal("15.99"), Decimal("24.00"))
    # $20–$25 holds the 30.00 one at its sale price, not the 19.99 one.
    band = await storefront_catalog.list_products(
        ListingQuery(category=slug, min_price=Decimal("20"), max_price=Decimal("25"))
    )
    assert [item.id for item in band.items] == [dear]


async def test_checkout_charges_the_sale_and_the_order_keeps_it_for_good(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("50.00"))
    promotion = await _promote(
        title="Five off", kind="fixed", value="5", target="category", category_id=str(category)
    )
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product, 2)
    line = (await cart_queries.get_cart(owner)).lines[0]
    assert (line.unit_price, line.list_price, line.promotion_title) == (
        Decimal("45.00"),
        Decimal("50.00"),
        "Five off",
    )

    placed = await place_order({product: 2})
    async with session_scope() as session:
        ordered = (
            await session.exec(select(OrderLine).where(col(OrderLine.order_id) == placed.id))
        ).one()
    assert (ordered.unit_price, ordered.line_total) == (Decimal("45.00"), Decimal("90.00"))
    assert (ordered.list_price, ordered.promotion_title) == (Decimal("50.00"), "Five off")

    # Changed, then deleted: the order keeps what it got.
    await promotion_services.save_promotion(
        promotion,
        {"title": "Ten off", "kind": "fixed", "value": "10", "target": "all"},
        actor=await catalog_manager(),
    )
    await promotion_services.delete_promotion(promotion, actor=await catalog_manager())
    async with session_scope() as session:
        again = await session.get(OrderLine, ordered.id)
    assert again is not None
    assert (again.unit_price, again.promotion_title) == (Decimal("45.00"), "Five off")
    assert (await cart_queries.get_cart(owner)).lines[0].unit_price == Decimal("50.00")


async def test_the_highest_priority_wins_then_the_lowest_price(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    product = await make_product(price=Decimal("100.00"))
    on_category = {"target": "category", "category_id": str(category)}
    await _promote(title="Ten percent", value="10", priority=5, **on_category)
    await _promote(title="Half off", value="50", priority=1, **on_category)
    page = await storefront_catalog.get_product_page(await _product_slug(product))
    assert (page.variants[0].price, page.variants[0].sale_title) == (
        Decimal("90.00"),
        "Ten percent",
    )

    await _promote(title="Thirty off", kind="fixed", value="30", priority=5, **on_category)
    page = await storefront_catalog.get_product_page(await _product_slug(product))
    assert (page.variants[0].price, page.variants[0].sale_title) == (Decimal("70.00"), "Thirty off")
    assert page.variants[0].compare_at_price == Decimal("100.00")


async def _product_slug(product_id: uuid.UUID) -> str:
    from backend.catalog.queries import get_product

    return (await get_product(product_id)).summary.slug


async def test_a_collection_sale_covers_what_the_collection_holds(
    make_product: MakeProduct, unique: str
) -> None:
    brand = f"Promo {unique}"
    covered = await make_product(brand=brand, price=Decimal("10.00"))
    other = await make_product(price=Decimal("10.00"))
    collection = await save_collection(
        None,
        {
            "title": f"Brand {unique}",
            "kind": "rules",
            "rules": [{"field": "brand", "operator": "is", "value": brand}],
        },
        actor=await catalog_manager(),
    )
    await _promote(target="collection", collection_id=str(collection), value="25")
    covered_page = await storefront_catalog.get_product_page(await _product_slug(covered))
    other_page = await storefront_catalog.get_product_page(await _product_slug(other))
    assert covered_page.variants[0].price == Decimal("7.50")
    assert other_page.variants[0].price == Decimal("10.00")


async def test_the_prices_key_of_cached_answers_is_the_listings_without_reading_the_tree(
    make_product: MakeProduct, category: uuid.UUID, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached API listing asks only which prices it shows: the same key the storefront's
    listings are priced under, without the category tree's round trip to Redis."""
    product = await make_product(price=Decimal("10.00"))
    collection = await save_collection(
        None,
        {
            "title": f"New in {unique}",
            "kind": "rules",
            "rules": [{"field": "created", "operator": "within_days", "value": "30"}],
        },
        actor=await catalog_manager(),
    )
    assert await storefront_catalog.prices_key() == ""  # no sale: the catalog's prices
    await _promote(target="category", category_id=str(category), value="10")
    await _promote(target="products", product_ids=[str(product)], value="5", stacks=True)
    await _promote(target="collection", collection_id=str(collection), value="15")
    await _promote(target="all", kind="fixed", value="1", priority=3)
    pricing = await promotions.listing_pricing()
    assert pricing is not None

    async def no_tree() -> None:
        raise AssertionError("the category tree was read")

    monkeypatch.setattr(promotions, "get_category_tree", no_tree)
    monkeypatch.setattr(merchandising_queries, "get_category_tree", no_tree)
    key = await storefront_catalog.prices_key()
    assert key == pricing.key

    monkeypatch.undo()
    await _promote(target="all", value="2")  # one more sale: other prices, another key
    assert await storefront_catalog.prices_key() not in ("", key)


async def test_a_cached_listing_in_a_sale_builds_neither_its_prices_nor_its_scope(
    make_product: MakeProduct, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built once, on the miss, for both the totals and the page; a hit needs only keys."""
    brand = f"Lazy {unique}"
    await make_product(brand=brand, price=Decimal("10.00"))
    await save_collection(
        None,
        {
            "title": brand,
            "kind": "rules",
            "rules": [{"field": "brand", "operator": "is", "value": brand}],
        },
        actor=await catalog_manager(),
    )
    await _promote(value="20")
    built: list[str] = []
    listing_pricing, collection_scope = (
        promotions.listing_pricing,
        storefront_catalog.collection_scope,
    )

    async def counted_pricing() -> object:
        built.append("prices")
        return await listing_pricing()

    async def counted_scope(*args: Any) -> object:
        built.append("scope")
        return await collection_scope(*args)

    monkeypatch.setattr(storefront_catalog, "listing_pricing", counted_pricing)
    monkeypatch.setattr(storefront_catalog, "collection_scope", counted_scope)
    slug = f"lazy-{unique}".lower()

    for _ in range(3):
        found = await storefront_catalog.list_collection_products(slug, {}, strict=True)
        assert [(i.price, i.sale_price) for i in found.listing.items] == [
            (Decimal("10.00"), Decimal("8.00"))
        ]
    assert sorted(built) == ["prices", "scope"]  # the first read missed, the others hit


async def test_a_promotion_starts_and_ends_on_its_dates_without_a_restart(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    product = await make_product(price=Decimal("40.00"))
    slug = await _slug(category)
    now = datetime.now(UTC)
    await _promote(
        target="category",
        category_id=str(category),
        starts_at=(now + timedelta(seconds=1.5)).isoformat(),
        ends_at=(now + timedelta(seconds=4)).isoformat(),
    )

    async def shown() -> Decimal:
        listing = await storefront_catalog.list_products(ListingQuery(category=slug))
        return next(item.shown_price for item in listing.items if item.id == product)

    assert await shown() == Decimal("40.00")
    await asyncio.sleep(2.6)  # started (and this process's second-long cache expired)
    assert await shown() == Decimal("32.00")
    await asyncio.sleep(2.6)  # ended
    assert await shown() == Decimal("40.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": "120"}, "form"),
        ({"value": "0"}, "value"),
        ({"value": "1.005"}, "value"),
        ({"target": "category"}, "form"),
        ({"target": "collection"}, "form"),
        ({"kind": "half"}, "kind"),
        ({"title": " "}, "title"),
    ],
)
async def test_bad_input_is_refused_with_a_message_per_field(
    fields: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await _promote(**fields)
    assert field in refused.value.field_errors


async def test_only_administrators_manage_promotions(shopper_viewer: Viewer) -> None:
    with pytest.raises(PermissionDeniedError):
        await promotion_services.save_promotion(
            None,
            {"title": "Mine", "kind": "percent", "value": "90", "target": "all"},
            actor=shopper_viewer,
        )
    with pytest.raises(PermissionDeniedError):
        await promotion_services.list_promotions(shopper_viewer)


async def test_listings_sql_and_the_carts_python_agree_on_every_sale_price(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    from backend.merchandising.promotions import sales_for

    prices = ["0.01", "0.05", "0.99", "3.33", "5.00", "19.99", "45.55", "100.00", "12345.67"]
    products = {await make_product(price=Decimal(p)): Decimal(p) for p in prices}
    on_category = {"target": "category", "category_id": str(category)}
    await _promote(title="Fifth", kind="percent", value="20", **on_category)
    await _promote(title="Five", kind="fixed", value="5", **on_category)
    await _promote(title="Third", kind="percent", value="33.33", **on_category)
    await _promote(title="Half, lower priority", kind="percent", value="50", priority=-1)

    listing = await storefront_catalog.list_products(
        ListingQuery(category=await _slug(category), limit=50)
    )
    in_sql = {item.id: (item.shown_price, item.badge) for item in listing.items}
    in_python = await sales_for(list(products.items()))
    for (product, price), sale in zip(products.items(), in_python, strict=True):
        expected_price = sale.price if sale else price
        expected_badge = sale.label("USD") if sale else ""
        assert in_sql[product] == (expected_price, expected_badge), price


async def test_listings_sql_and_python_agree_when_promotions_add_up(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    """Promotions that add up (each its part of the price before promotions, never below
    zero) against ones alone, at equal and higher priorities: the same price and badge."""
    from backend.merchandising.promotions import sales_for

    prices = ["0.01", "0.99", "4.00", "9.99", "19.99", "45.55", "100.00", "999.99"]
    products = {await make_product(price=Decimal(p)): Decimal(p) for p in prices}
    on_category = {"target": "category", "category_id": str(category), "stacks": True}
    await _promote(title="Summer", kind="percent", value="20", **on_category)
    await _promote(title="Extra", kind="fixed", value="5", **on_category)
    await _promote(title="Coats", kind="percent", value="10", stacks=True, priority=1)
    await _promote(title="Alone", kind="percent", value="15", priority=1)
    await _promote(title="Lower", kind="percent", value="90", priority=-1)

    listing = await storefront_catalog.list_products(
        ListingQuery(category=await _slug(category), limit=50)
    )
    in_sql = {item.id: (item.shown_price, item.badge) for item in listing.items}
    in_python = await sales_for(list(products.items()))
    stacked = 0
    for (product, price), sale in zip(products.items(), in_python, strict=True):
        expected = (sale.price, sale.label("USD")) if sale else (price, "")
        assert in_sql[product] == expected, price
        stacked += bool(sale and len(sale.offers) > 1)
    assert stacked  # some prices are under promotions adding up


async def test_analytics_count_what_each_promotion_sold_and_took_off(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    from backend.analytics.sales import promotion_results
    from backend.payments import services as payments
    from backend.payments import test_gateway as cards
    from tests.fixtures.checkout import tab_that_placed

    product = await make_product(price=Decimal("20.00"))
    promotion = await _promote(
        title="Quarter off", value="25", target="category", category_id=str(category)
    )
    first = await place_order({product: 2})
    second = await place_order({product: 1})
    for key, placed in enumerate((first, second)):  # paid: analytics count paid orders
        await payments.pay_order(
            placed.id,
            shopper=tab_that_placed(placed.id),
            payment_method=cards.SUCCEEDS,
            attempt_key=f"promotion-{key}",
        )
    today = datetime.now(UTC).date()
    results = [
        r for r in await promotion_results(today, today, limit=100) if r.title == "Quarter off"
    ]
    assert len(results) == 1
    result = results[0]
    assert (result.orders, result.applies_to) == (2, "items")
    assert result.revenue == first.total + second.total  # what the orders brought in
    assert result.discount == Decimal("15.00")  # 3 items at 5.00 off
    async with session_scope() as session:
        lines = (
            await session.exec(select(OrderLine).where(col(OrderLine.order_id) == first.id))
        ).all()
    assert [line.promotion_id for line in lines] == [promotion]


async def test_the_preview_prices_a_cart_at_a_later_moment(
    make_product: MakeProduct, category: uuid.UUID, unique: str
) -> None:
    await make_product(sku=f"PV-{unique}", price=Decimal("80.00"))
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    await _promote(
        title="Black Friday",
        value="25",
        target="category",
        category_id=str(category),
        starts_at=tomorrow.isoformat(),
        ends_at=(tomorrow + timedelta(days=1)).isoformat(),
    )
    admin = await catalog_manager()
    items = [(f"pv-{unique}", 2), ("NO-SUCH-SKU", 1)]

    later = await promotion_services.preview_cart(items, tomorrow + timedelta(hours=1), actor=admin)
    assert [(line.price, line.promotion_title) for line in later.lines] == [
        (Decimal("60.00"), "Black Friday")
    ]
    assert (later.subtotal, later.subtotal_before) == (Decimal("120.00"), Decimal("160.00"))
    assert later.unknown_skus == ("NO-SUCH-SKU",)
    now = await promotion_services.preview_cart(items, datetime.now(UTC), actor=admin)
    assert now.subtotal == Decimal("160.00")
    # The storefront is not touched by a preview: the sale has not started.
    product_page = await storefront_catalog.get_product_page(
        await _product_slug(await _find(f"PV-{unique}"))
    )
    assert product_page.variants[0].price == Decimal("80.00")


async def _find(sku: str) -> uuid.UUID:
    from backend.catalog.queries import find_product_id_by_sku

    found = await find_product_id_by_sku(sku)
    assert found is not None
    return found


async def test_a_promotion_on_chosen_products_covers_those_alone(
    make_product: MakeProduct, category: uuid.UUID, unique: str
) -> None:
    chosen = await make_product(sku=f"CH-{unique}", price=Decimal("50.00"))
    other = await make_product(price=Decimal("50.00"))
    admin = await catalog_manager()
    found, unknown = await promotion_services.products_by_sku(
        [f"ch-{unique}", "NO-SUCH-SKU"], actor=admin
    )
    assert (found, unknown) == ([chosen], ["NO-SUCH-SKU"])
    promotion = await _promote(
        title="Picked", value="10", target="products", product_ids=[str(chosen)]
    )

    listing = await storefront_catalog.list_products(ListingQuery(category=await _slug(category)))
    shown = {item.id: item.shown_price for item in listing.items}
    assert (shown[chosen], shown[other]) == (Decimal("45.00"), Decimal("50.00"))
    row = await promotion_services.promotion_row(promotion, actor=admin)
    assert row.product_ids == (chosen,)

    # Replaced with the other product: the first is back at its price.
    await promotion_services.save_promotion(
        promotion,
        {"title": "Picked", "kind": "percent", "value": "10", "target": "products",
         "product_ids": [str(other)]},
        actor=admin,
    )  # fmt: skip
    forget_cached()
    listing = await storefront_catalog.list_products(ListingQuery(category=await _slug(category)))
    shown = {item.id: item.shown_price for item in listing.items}
    assert (shown[chosen], shown[other]) == (Decimal("50.00"), Decimal("45.00"))


async def test_chosen_products_must_be_given_and_exist() -> None:
    with pytest.raises(InvalidInputError) as refused:
        await _promote(target="products")
    assert "Choose the products" in str(refused.value.field_errors)
    with pytest.raises(InvalidInputError) as refused:
        await _promote(target="products", product_ids=[str(uuid.uuid4())])
    assert "product_ids" in refused.value.field_errors
