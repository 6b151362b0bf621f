"""Search under live sales: the index holds the catalog's prices (a promotion starting or
ending never waits for a reindex), so while a sale is live each search reads which
products are on sale and at what price (the listings' own SQL rule,
`merchandising.promotions.listing_pricing`), at most once a second per process, and
sorts, filters by price band, counts the bands and shows the cards at those prices."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cachetools import TTLCache
from sqlmodel import col
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.merchandising.promotions import listing_pricing

FRESH_FOR_SECONDS = 1.0


@dataclass(frozen=True)
class SalePrice:
    price: Decimal
    badge: str  # "−20%"


@dataclass(frozen=True)
class SalePrices:
    """The products on sale now, by id (as the index writes it)."""

    by_product: Mapping[str, SalePrice]


_fresh: TTLCache[str, SalePrices] = TTLCache(maxsize=4, ttl=FRESH_FOR_SECONDS, timer=time.monotonic)


async def current_sale_prices() -> SalePrices | None:
    """None while no sale is live (searches then use the index's prices alone)."""
    pricing = await listing_pricing()
    if pricing is None:
        return None
    if (cached := _fresh.get(pricing.key)) is not None:
        return cached
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(
        col(Product.id), pricing.sale_price.label("sale_price"), pricing.sale_label
    ).where(pricing.sale_price.is_not(None), col(Product.is_active))
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    found = SalePrices(
        {
            str(product_id): SalePrice(Decimal(price), badge or "")
            for product_id, price, badge in rows
        }
    )
    _fresh[pricing.key] = found
    return found
