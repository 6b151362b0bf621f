"""Orders and the catalog cache: an order that changes nothing a shopper sees of a product
keeps every page's cache (issue #24: at a few orders a second, forgetting every cached
page on each order left the storefront reading the database on nearly every visit), while
answers giving exact quantities (the API's listings) follow every change, and pages
follow every change shoppers can see."""

from __future__ import annotations

import uuid

import httpx
import pytest

from backend.catalog import cache, queries
from backend.catalog.schemas import MAX_QUANTITY_CHOICE, stock_change_shown
from backend.core.redis import get_redis
from backend.inventory.events import InventoryUpdated
from jobs.event_handlers.catalog_upkeep import refresh_cached_stock
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder


async def product_page_stock(slug: str) -> int:
    return (await queries.get_product_page(slug)).summary.stock_quantity


async def exact_stock(slug: str) -> int:
    with cache.exact_stock():
        return await product_page_stock(slug)


async def slug_of(product_id: uuid.UUID) -> str:
    return (await queries.get_product(product_id)).summary.slug


async def test_an_order_shoppers_cannot_tell_apart_keeps_the_pages_cached(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product_id = await make_product(stock_quantity=100)
    slug = await slug_of(product_id)
    assert await product_page_stock(slug) == 100  # cached now
    assert await exact_stock(slug) == 100

    await place_order({product_id: 2})

    # Both read "In stock" with ten quantities offered: the page is still the cached one…
    page = await queries.get_product_page(slug)
    assert page.summary.stock_quantity == 100
    assert page.summary.stock_display == "In stock"
    # …and what gives exact quantities has the order's effect at once.
    assert await exact_stock(slug) == 98


@pytest.mark.parametrize(
    ("stock", "bought", "shown"),
    [
        (12, 2, 10),  # fewer than ten quantities would be offered
        (7, 2, 5),  # "Only 5 left"
        (3, 3, 0),  # sold out
    ],
)
async def test_an_order_shoppers_can_see_refreshes_the_pages(
    make_product: MakeProduct, place_order: PlaceOrder, stock: int, bought: int, shown: int
) -> None:
    product_id = await make_product(stock_quantity=stock, low_stock_threshold=5)
    slug = await slug_of(product_id)
    assert await product_page_stock(slug) == stock

    await place_order({product_id: bought})

    assert await product_page_stock(slug) == shown


async def test_the_api_listing_gives_exact_stock_after_every_order(
    api: httpx.AsyncClient, make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    product_id = await make_product(stock_quantity=500)
    slug = await slug_of(product_id)
    listing_url = f"/products?category=category-{unique}"
    first = (await api.get(listing_url)).json()["items"]
    assert [item["stock_quantity"] for item in first if item["slug"] == slug] == [500]
    assert await product_page_stock(slug) == 500

    await place_order({product_id: 1})

    again = (await api.get(listing_url)).json()["items"]
    assert [item["stock_quantity"] for item in again if item["slug"] == slug] == [499]
    assert await product_page_stock(slug) == 500  # the page's cache was kept


async def test_the_workers_retry_forgets_the_pages_only_for_a_change_shoppers_see() -> None:
    redis = get_redis()
    versions = (cache.VERSION_KEY, cache.STOCK_VERSION_KEY)
    before = [int(v or 0) for v in await redis.mget(versions)]
    unseen = InventoryUpdated(
        aggregate_id=str(uuid.uuid4()),
        sku="S",
        quantity=900,
        change=-1,
        reason="order_placed",
        shown=False,
    )
    await refresh_cached_stock(unseen)
    middle = [int(v or 0) for v in await redis.mget(versions)]
    assert middle == [before[0], before[1] + 1]
    seen = unseen.model_copy(update={"quantity": 4, "shown": True})
    await refresh_cached_stock(seen)
    after = [int(v or 0) for v in await redis.mget(versions)]
    assert after == [middle[0] + 1, middle[1] + 1]


def test_what_shoppers_can_tell_apart() -> None:
    assert not stock_change_shown(1000, 999, 5)
    assert not stock_change_shown(12, 11, 5)
    # From ten down, fewer quantities are offered (ten itself counts, to be safe).
    assert stock_change_shown(11, MAX_QUANTITY_CHOICE, 5)
    assert stock_change_shown(10, 9, 5)
    assert stock_change_shown(6, 5, 5)  # "Only 5 left"
    assert stock_change_shown(0, 20, 5)  # back in stock
    assert stock_change_shown(40, 30, 50)  # "Only 30 left" under a high threshold
