"""Reading automatic promotions: the live ones (switched on, within their dates), what
each covers as SQL over `products`, and from them the storefront's prices: a listing's
sale price and badge per product (`listing_pricing`), and the sale of items priced one
by one (`sales_for`: product pages, carts, checkout). Read at most once a second per
process, so a promotion starts, ends or changes everywhere within a second.
(docs/adr/0011-automatic-promotions.md)"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cachetools import TTLCache
from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, true
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.category_queries import get_category_tree
from backend.catalog.listing_queries import ListingPricing
from backend.catalog.models import Product
from backend.catalog.schemas import CategoryTree
from backend.core.db import session_scope
from backend.merchandising.models import Collection, Promotion
from backend.merchandising.offers import Offer, Sale, sale_of
from backend.merchandising.order_offers import OrderOffer
from backend.merchandising.queries import CollectionView, collection_scope, views_of
from backend.settings import get_settings

FRESH_FOR_SECONDS = 1.0


@dataclass(frozen=True)
class LivePromotion:
    offer: Offer
    row: Promotion
    collection: CollectionView | None  # a collection-wide one's collection


@dataclass(frozen=True)
class CoveringOffer:
    offer: Offer
    covers: ColumnElement[bool]  # over `products`


_fresh: TTLCache[str, tuple[LivePromotion, ...]] = TTLCache(
    maxsize=1, ttl=FRESH_FOR_SECONDS, timer=time.monotonic
)


def forget_cached() -> None:
    """After a change in this process: the next read sees it at once."""
    _fresh.clear()


def live_condition(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Promotion.is_active) == true(),
        or_(col(Promotion.starts_at).is_(None), col(Promotion.starts_at) <= now),
        or_(col(Promotion.ends_at).is_(None), col(Promotion.ends_at) > now),
    )


def offer_of(row: Promotion) -> Offer:
    return Offer(
        id=row.id,
        title=row.title,
        kind="fixed" if row.kind == "fixed" else "percent",
        value=row.value,
        priority=row.priority,
    )


async def live_promotions(at: datetime | None = None) -> tuple[LivePromotion, ...]:
    """The promotions in force now (cached a second in this process), or at the moment
    `at` (the admin's preview; read afresh)."""
    if at is None and (cached := _fresh.get("live")) is not None:
        return cached
    now = at or datetime.now(UTC)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Promotion).where(live_condition(now)).order_by(col(Promotion.id))
            )
        ).all()
        collection_ids = [row.collection_id for row in rows if row.collection_id is not None]
        collection_rows = (
            (
                await session.exec(select(Collection).where(col(Collection.id).in_(collection_ids)))
            ).all()
            if collection_ids
            else []
        )
    collections = {view.id: view for view in await views_of(collection_rows)}
    live = tuple(
        LivePromotion(
            offer=offer_of(row),
            row=row,
            collection=collections.get(row.collection_id) if row.collection_id else None,
        )
        for row in rows
    )
    if at is None:
        _fresh["live"] = live
    return live


async def live_order_offers(at: datetime | None = None) -> tuple[OrderOffer, ...]:
    """The order-wide and shipping promotions in force now (or at `at`)."""
    return tuple(
        OrderOffer(
            id=p.row.id,
            title=p.row.title,
            applies_to="shipping" if p.row.applies_to == "shipping" else "order",
            kind=p.offer.kind,
            value=p.row.value,
            priority=p.row.priority,
            min_subtotal=p.row.min_subtotal or Decimal(0),
            zone_id=p.row.zone_id,
            combines_with_codes=p.row.combines_with_codes,
            limit_per_customer=p.row.limit_per_customer,
        )
        for p in await live_promotions(at)
        if p.row.applies_to != "items"
    )


async def _covers(
    promotion: LivePromotion, tree: CategoryTree, now: datetime
) -> tuple[ColumnElement[bool], str]:
    """What the promotion covers, as SQL over `products`, and the key of that condition
    (a collection's scope key: it moves when the collection or its rules' minute does)."""
    row = promotion.row
    if row.target == "all":
        return true(), ""
    if row.target == "category":
        node = tree.by_id(row.category_id) if row.category_id else None
        return (col(Product.category_id).in_(tree.subtree_ids(node.id)) if node else false()), ""
    if promotion.collection is None:  # its collection was deleted
        return false(), ""
    scope = await collection_scope(promotion.collection, now)
    return scope.where, scope.key


async def covering_offers(at: datetime | None = None) -> tuple[list[CoveringOffer], str]:
    """The live promotions (now, or at `at`) with what each covers, and a key that changes
    whenever the live set or anything it covers by rule changes (for caches)."""
    live = [p for p in await live_promotions(at) if p.row.applies_to == "items"]
    if not live:
        return [], ""
    now = at or datetime.now(UTC)
    tree = await get_category_tree()
    offers, parts = [], []
    for promotion in live:
        covers, covers_key = await _covers(promotion, tree, now)
        offers.append(CoveringOffer(promotion.offer, covers))
        parts.append(f"{promotion.row.id}:{promotion.row.updated_at.isoformat()}:{covers_key}")
    return offers, hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _case(whens: list[tuple[ColumnElement[bool], Any]]) -> ColumnElement[Any]:
    return case(*whens, else_=None)


async def listing_pricing() -> ListingPricing | None:
    """The storefront's prices for catalog listings, or None while no promotion is live
    (listings then read the catalog's prices, from their indexes)."""
    offers, key = await covering_offers()
    if not offers:
        return None
    currency = get_settings().shop_currency
    price = col(Product.price)
    best_priority = func.greatest(*(_case([(o.covers, literal(o.offer.priority))]) for o in offers))
    candidates = [
        (and_(o.covers, literal(o.offer.priority) == best_priority), o.offer.sql_price_after(price))
        for o in offers
    ]
    lowest = func.least(*(_case([(chosen, after)]) for chosen, after in candidates))
    sale_price = _case([(lowest < price, lowest)])
    # The first chosen offer (by id) that gives the lowest price names the badge.
    sale_label = _case(
        [
            (and_(chosen, after == lowest, lowest < price), literal(o.offer.label(currency)))
            for (chosen, after), o in zip(candidates, offers, strict=True)
        ]
    )
    return ListingPricing(key=f"promotions:{key}", sale_price=sale_price, sale_label=sale_label)


@dataclass(frozen=True)
class Coverage:
    """Which live promotions cover which products, read once: then any of those products
    is priced without another read (checkout reads it before its order transaction, so
    pricing never waits for a second database connection while holding one)."""

    offers: dict[uuid.UUID, tuple[Offer, ...]]

    def sale(self, product_id: uuid.UUID, price: Decimal) -> Sale | None:
        return sale_of(price, self.offers.get(product_id, ()))


async def coverage_of(product_ids: Iterable[uuid.UUID], *, at: datetime | None = None) -> Coverage:
    """One query for which live promotion (now, or at `at`) covers which of the products."""
    product_ids = list(product_ids)
    offers, _key = await covering_offers(at)
    if not offers or not product_ids:
        return Coverage({})
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(
        col(Product.id), *(o.covers.label(f"covers_{i}") for i, o in enumerate(offers))
    ).where(col(Product.id).in_(product_ids))
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    return Coverage(
        {
            row[0]: tuple(o.offer for o, covered in zip(offers, row[1:], strict=True) if covered)
            for row in rows
        }
    )


async def sales_for(
    items: Sequence[tuple[uuid.UUID, Decimal]], *, at: datetime | None = None
) -> list[Sale | None]:
    """For (product id, price) pairs, the sale each is under now (or at `at`; None: none)."""
    coverage = await coverage_of({product_id for product_id, _ in items}, at=at)
    return [coverage.sale(product_id, price) for product_id, price in items]
