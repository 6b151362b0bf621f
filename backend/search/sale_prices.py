"""Search under live sales: the index holds the catalog's prices (a promotion starting or
ending never waits for a reindex), so while a sale is live each search uses which
products are on sale and at what price (the listings' own SQL rule,
`merchandising.promotions.listing_pricing`) to sort, filter by price band, count the
bands and show the cards.

Those prices are read in one row (`string_agg`: 100,000 products in about a quarter of a
second, where one row per product took a second and a half) and parsed in a thread, then
kept in this process:
- read again at once when the live promotions change (their key: a promotion starts,
  ends or is edited, and search follows within the second promotions are cached for);
- read again in the background, at most every `CATALOG_REFRESH_SECONDS`, when the catalog
  changed (a price edit; stock changes bump the same version), searches meanwhile using
  the prices read last.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import String, cast, func, literal
from sqlmodel import col
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.cache import VERSION_KEY
from backend.catalog.listing_queries import ListingPricing
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.core.redis import get_redis
from backend.merchandising.promotions import listing_prices_key, listing_pricing

CATALOG_REFRESH_SECONDS = 5.0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SalePrice:
    price: Decimal
    badge: str  # "−20%"


@dataclass(frozen=True)
class SalePrices:
    """The products on sale now, by id (as the index writes it)."""

    by_product: Mapping[str, SalePrice]


@dataclass
class _Kept:
    pricing_key: str
    catalog_version: str
    read_at: float
    prices: SalePrices


_kept: dict[str, _Kept] = {}  # "current" → the prices read last
_refreshing: set[asyncio.Task[None]] = set()


def forget_kept() -> None:
    """The next search reads the prices again (tests, after changing prices by hand)."""
    _kept.clear()


def _parsed(text: str | None) -> SalePrices:
    found: dict[str, SalePrice] = {}
    for row in (text or "").split("\n"):
        if row:
            product_id, price, badge = row.split(" ", 2)
            found[product_id] = SalePrice(Decimal(price), badge)
    return SalePrices(found)


async def _catalog_version() -> str:
    try:
        return str(await get_redis().get(VERSION_KEY) or "")
    except RedisError as error:  # search still answers; the prices are re-read on the key
        logger.warning("catalog version unknown: %s", error)
        return ""


async def _read(pricing: ListingPricing, version: str) -> _Kept:
    """The on-sale products' prices and badges, read now and kept."""
    line = (
        cast(col(Product.id), String)
        + literal(" ")
        + cast(pricing.sale_price, String)
        + literal(" ")
        + func.coalesce(pricing.sale_label, "")
    )
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(
        func.string_agg(line, literal("\n"))
    ).where(pricing.sale_price.is_not(None), col(Product.is_active))
    async with session_scope() as session:
        text = (await session.exec(statement)).one()[0]
    prices = await asyncio.to_thread(_parsed, text)
    kept = _Kept(pricing.key, version, time.monotonic(), prices)
    _kept["current"] = kept
    return kept


async def _refresh(version: str) -> None:
    try:
        pricing = await listing_pricing()
        if pricing is not None:
            await _read(pricing, version)
    except Exception:  # the prices read last stay; the next interval tries again
        logger.exception("sale prices for search not read again")


async def current_sale_prices() -> SalePrices | None:
    """None while no sale is live (searches then use the index's prices alone)."""
    # The sales' key alone first: their SQL (and the category tree it needs) is built only
    # when the prices are read again.
    key = await listing_prices_key()
    if not key:
        return None
    version = await _catalog_version()
    kept = _kept.get("current")
    if kept is None or kept.pricing_key != key:
        pricing = await listing_pricing()
        if pricing is None:  # the sale ended a moment ago
            return None
        return (await _read(pricing, version)).prices
    stale = kept.catalog_version != version
    if stale and time.monotonic() - kept.read_at >= CATALOG_REFRESH_SECONDS and not _refreshing:
        kept.read_at = time.monotonic()  # one refresh per interval, whatever comes meanwhile
        task = asyncio.create_task(_refresh(version))
        _refreshing.add(task)
        task.add_done_callback(_refreshing.discard)
    return kept.prices
