"""Keeping what is derived from products current: the search index, the catalog cache
and image thumbnails."""

from __future__ import annotations

import uuid

from backend.catalog import cache as catalog_cache
from backend.catalog import queries as catalog
from backend.catalog.events import ProductChanged, ProductsChanged
from backend.core.errors import NotFoundError
from backend.inventory.events import InventoryUpdated
from backend.media import services as media
from backend.search import services as search


async def update_search_index(event: ProductChanged) -> None:
    # The worker is the only writer of the search index; web processes only read it.
    await search.sync_products([uuid.UUID(event.aggregate_id)])


async def make_product_thumbnails(event: ProductChanged) -> None:
    # Uploads are stored at once; their thumbnails are made here, off the web process.
    if event.change == "deleted":
        return
    try:
        product = await catalog.get_product(uuid.UUID(event.aggregate_id))
    except NotFoundError:
        return  # deleted since: nothing to show
    await media.create_thumbnails_for(product.image_urls)


async def update_search_index_for_many(event: ProductsChanged) -> None:
    # One search commit for the whole batch (an import or a bulk edit).
    await search.sync_products([uuid.UUID(product_id) for product_id in event.product_ids])


async def make_thumbnails_for_many(event: ProductsChanged) -> None:
    for product_id in event.product_ids:
        try:
            product = await catalog.get_product(uuid.UUID(product_id))
        except NotFoundError:
            continue
        await media.create_thumbnails_for(product.image_urls)


async def refresh_catalog_cache(event: ProductChanged | ProductsChanged) -> None:
    # The writer already did this after its commit; this covers a Redis outage then.
    await catalog_cache.invalidate()


async def update_stock_in_search(event: InventoryUpdated) -> None:
    # Search results show stock ("in stock" filter, "Only 3 left"): the worker re-reads
    # the product, like for any other product change.
    await search.sync_products([uuid.UUID(event.aggregate_id)])


async def refresh_cached_stock(event: InventoryUpdated) -> None:
    # As the writer did after its commit: pages' caches only for a change shoppers see.
    await catalog_cache.stock_moved(shown=event.shown)
