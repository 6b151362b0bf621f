"""Reading automatic promotions: the live ones (switched on, within their dates), what
each covers as SQL over `products`, and from them the storefront's prices: a listing's
sale price and badge per product (`listing_pricing`), and the sale of items priced one
by one (`sales_for`: product pages, carts, checkout). Read at most once a second per
process, so a promotion starts, ends or changes everywhere within a second.
(docs/adr/0011-automatic-promotions.md)"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, case, false, func, literal, or_, true
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.category_queries import get_category_tree
from backend.catalog.listing_queries import ListingPricing
from backend.catalog.models import Product
from backend.catalog.schemas import CategoryTree
from backend.core.db import read_scope
from backend.core.single_flight import FreshCache
from backend.merchandising.models import Collection, Promotion, PromotionProduct
from backend.merchandising.multibuys import LineMultiBuy, MultiBuy, MultiBuyLine, apply_multibuys
from backend.merchandising.offers import ZERO, Offer, Sale, sale_of
from backend.merchandising.order_offers import OrderOffer
from backend.merchandising.queries import (
    CollectionView,
    collection_scope,
    collection_scope_key,
    views_of,
)
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


@dataclass(frozen=True)
class CoveringMultiBuy:
    offer: MultiBuy
    covers: ColumnElement[bool]


_live: FreshCache[str, tuple[LivePromotion, ...]] = FreshCache(seconds=FRESH_FOR_SECONDS)


def forget_cached() -> None:
    """After a change in this process: the next read sees it at once."""
    _live.forget()


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
        stacks=row.stacks,
    )


def multibuy_of(row: Promotion) -> MultiBuy:
    return MultiBuy(
        id=row.id,
        title=row.title,
        kind="bundle" if row.kind == "bundle" else "fixed" if row.kind == "fixed" else "percent",
        value=row.value,
        buy_quantity=row.buy_quantity or 2,
        discounted_quantity=row.discounted_quantity or 1,
        priority=row.priority,
        stacks=row.stacks,
    )


async def live_promotions(at: datetime | None = None) -> tuple[LivePromotion, ...]:
    """The promotions in force now (cached a second in this process), or at the moment
    `at` (the admin's preview; read afresh)."""
    if at is not None:
        return await _read_live_promotions(at)
    return await _live.get("live", lambda: _read_live_promotions(datetime.now(UTC)))


async def _read_live_promotions(now: datetime) -> tuple[LivePromotion, ...]:
    async with read_scope() as session:
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
    return tuple(
        LivePromotion(
            offer=offer_of(row),
            row=row,
            collection=collections.get(row.collection_id) if row.collection_id else None,
        )
        for row in rows
    )


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
        if p.row.applies_to in ("order", "shipping")
    )


async def _covers(
    promotion: LivePromotion, tree: CategoryTree, now: datetime
) -> ColumnElement[bool]:
    """What the promotion covers, as SQL over `products`."""
    row = promotion.row
    if row.target == "all":
        return true()
    if row.target == "category":
        node = tree.by_id(row.category_id) if row.category_id else None
        return col(Product.category_id).in_(tree.subtree_ids(node.id)) if node else false()
    if row.target == "products":
        chosen = select(PromotionProduct.product_id).where(
            col(PromotionProduct.promotion_id) == row.id
        )
        return col(Product.id).in_(chosen)
    if promotion.collection is None:  # its collection was deleted
        return false()
    return (await collection_scope(promotion.collection, now)).where


def _covering_key(live: Sequence[LivePromotion], now: datetime) -> str:
    """Changes whenever the promotions or anything they cover by rule change: each one's
    `updated_at` (a save bumps it, chosen products included) and its collection's scope
    key. Moves of categories and products change the catalog version instead."""
    parts = [
        f"{p.row.id}:{p.row.updated_at.isoformat()}:"
        + (collection_scope_key(p.collection, now) if p.collection is not None else "")
        for p in live
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


async def _live_applying_to(applies_to: str, at: datetime | None) -> list[LivePromotion]:
    return [p for p in await live_promotions(at) if p.row.applies_to == applies_to]


async def _covering(
    applies_to: str, at: datetime | None
) -> tuple[list[tuple[LivePromotion, ColumnElement[bool]]], str]:
    """The live promotions of `applies_to` (now, or at `at`) with what each covers, and a
    key that changes whenever that set or anything it covers by rule changes."""
    live = await _live_applying_to(applies_to, at)
    if not live:
        return [], ""
    now = at or datetime.now(UTC)
    tree = await get_category_tree()
    found = [(promotion, await _covers(promotion, tree, now)) for promotion in live]
    return found, _covering_key(live, now)


async def covering_offers(at: datetime | None = None) -> tuple[list[CoveringOffer], str]:
    """The live sales on items (now, or at `at`) with what each covers, and a key that
    changes whenever they or anything they cover by rule change (for caches)."""
    found, key = await _covering("items", at)
    return [CoveringOffer(promotion.offer, covers) for promotion, covers in found], key


async def covering_multibuys(at: datetime | None = None) -> list[CoveringMultiBuy]:
    found, _key = await _covering("multibuy", at)
    return [CoveringMultiBuy(multibuy_of(promotion.row), covers) for promotion, covers in found]


async def listing_prices_key() -> str:
    """The key of `listing_pricing()` without building it: no category tree to read and no
    SQL to put together, for a cached answer that only needs to know which prices it
    shows. Empty while no sale runs."""
    live = await _live_applying_to("items", None)
    return f"promotions:{_covering_key(live, datetime.now(UTC))}" if live else ""


def _case(whens: list[tuple[ColumnElement[bool], Any]], else_: Any = None) -> ColumnElement[Any]:
    return case(*whens, else_=else_)


async def listing_pricing() -> ListingPricing | None:
    """The storefront's prices for catalog listings, or None while no promotion is live
    (listings then read the catalog's prices, from their indexes). The rule of
    `offers.sale_of`, as SQL: each promotion that does not add up is a candidate alone,
    those that do are one candidate together."""
    offers, key = await covering_offers()
    if not offers:
        return None
    currency = get_settings().shop_currency
    price = col(Product.price)
    singles = [o for o in offers if not o.offer.stacks]
    stacking = [o for o in offers if o.offer.stacks]
    stack_covers = or_(*(o.covers for o in stacking)) if stacking else false()
    stack_price = func.greatest(
        price
        - sum(
            (_case([(o.covers, o.offer.sql_amount_off(price))], else_=0) for o in stacking),
            literal(ZERO),
        ),
        literal(ZERO),
    )
    priorities = [_case([(o.covers, literal(o.offer.priority))]) for o in singles]
    stack_priority = func.greatest(
        *(_case([(o.covers, literal(o.offer.priority))]) for o in stacking)
    )
    if stacking:
        priorities.append(stack_priority)
    best_priority = func.greatest(*priorities)
    candidates: list[tuple[ColumnElement[bool], ColumnElement[Any], ColumnElement[Any]]] = [
        (
            and_(o.covers, literal(o.offer.priority) == best_priority),
            price - o.offer.sql_amount_off(price),
            literal(o.offer.label(currency)),
        )
        for o in singles
    ]
    if stacking:
        candidates.append(
            (
                and_(stack_covers, stack_priority == best_priority),
                stack_price,
                _stack_label(stacking, price, stack_price),
            )
        )
    lowest = func.least(*(_case([(chosen, after)]) for chosen, after, _ in candidates))
    sale_price = _case([(lowest < price, lowest)])
    # As in Python: the first chosen candidate (alone ones by id, then the stack) giving
    # the lowest price names the badge.
    sale_label = _case(
        [
            (and_(chosen, after == lowest, lowest < price), label)
            for chosen, after, label in candidates
        ]
    )
    return ListingPricing(key=f"promotions:{key}", sale_price=sale_price, sale_label=sale_label)


def _stack_label(
    stacking: list[CoveringOffer], price: Any, stack_price: ColumnElement[Any]
) -> ColumnElement[Any]:
    """`Sale.label` for the promotions that add up: the one's own label when one covers
    the product, else the whole percentage off, rounded down."""
    covering = sum((_case([(o.covers, literal(1))], else_=0) for o in stacking), literal(0))
    alone = [
        (and_(covering == 1, o.covers), literal(o.offer.label(get_settings().shop_currency)))
        for o in stacking
    ]
    percent = (
        literal("−")
        + func.floor((price - stack_price) * 100 / func.nullif(price, 0)).cast(Integer).cast(String)
        + literal("%")
    )
    return case(*alone, else_=percent)


@dataclass(frozen=True)
class PricedItem:
    """An item (a cart or order line) as the live promotions price it."""

    sale: Sale | None  # the sale on its unit price
    unit_price: Decimal  # after the sale
    multibuy: LineMultiBuy | None  # the multi-buy it counts towards, and what it took off

    @property
    def multibuy_off(self) -> Decimal:
        return self.multibuy.amount if self.multibuy else ZERO


@dataclass(frozen=True)
class Coverage:
    """Which live promotions cover which products, read once: then any of those products
    is priced without another read (checkout reads it before its order transaction, so
    pricing never waits for a second database connection while holding one)."""

    offers: dict[uuid.UUID, tuple[Offer, ...]]
    multibuys: dict[uuid.UUID, tuple[MultiBuy, ...]] = field(default_factory=dict)

    def sale(self, product_id: uuid.UUID, price: Decimal) -> Sale | None:
        return sale_of(price, self.offers.get(product_id, ()))

    def price(self, items: Sequence[tuple[str, uuid.UUID, Decimal, int]]) -> list[PricedItem]:
        """(key, product id, catalog price, quantity) items, priced together: each one's
        sale, then the multi-buys over all of them (`multibuys.apply_multibuys`)."""
        sales = [self.sale(product_id, price) for _, product_id, price, _ in items]
        applied = apply_multibuys(
            [
                MultiBuyLine(
                    key=key,
                    unit_price=sale.price if sale else price,
                    quantity=quantity,
                    offers=self.multibuys.get(product_id, ()),
                    on_sale=sale is not None,
                    sale_stacks=sale is not None and sale.offer.stacks,
                )
                for (key, product_id, price, quantity), sale in zip(items, sales, strict=True)
            ]
        )
        return [
            PricedItem(sale, sale.price if sale else price, multibuy)
            for (_, _, price, _), sale, multibuy in zip(items, sales, applied, strict=True)
        ]


async def _covered_by(
    product_ids: list[uuid.UUID], conditions: Sequence[ColumnElement[bool]]
) -> dict[uuid.UUID, list[bool]]:
    """For each product, which of the conditions hold (one query)."""
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(
        col(Product.id), *(covers.label(f"covers_{i}") for i, covers in enumerate(conditions))
    ).where(col(Product.id).in_(product_ids))
    async with read_scope() as session:
        rows = (await session.exec(statement)).all()
    return {row[0]: [bool(covered) for covered in row[1:]] for row in rows}


async def coverage_of(product_ids: Iterable[uuid.UUID], *, at: datetime | None = None) -> Coverage:
    """One query for which live promotion (now, or at `at`) covers which of the products."""
    product_ids = list(product_ids)
    offers, _key = await covering_offers(at)
    multibuys = await covering_multibuys(at)
    if not (offers or multibuys) or not product_ids:
        return Coverage({})
    covered = await _covered_by(
        product_ids, [o.covers for o in offers] + [m.covers for m in multibuys]
    )
    return Coverage(
        offers={
            product_id: tuple(o.offer for o, hit in zip(offers, hits, strict=False) if hit)
            for product_id, hits in covered.items()
        },
        multibuys={
            product_id: tuple(
                m.offer for m, hit in zip(multibuys, hits[len(offers) :], strict=True) if hit
            )
            for product_id, hits in covered.items()
        },
    )


async def sales_for(
    items: Sequence[tuple[uuid.UUID, Decimal]], *, at: datetime | None = None
) -> list[Sale | None]:
    """For (product id, price) pairs, the sale each is under now (or at `at`; None: none)."""
    coverage = await coverage_of({product_id for product_id, _ in items}, at=at)
    return [coverage.sale(product_id, price) for product_id, price in items]


async def priced_items(
    items: Sequence[tuple[str, uuid.UUID, Decimal, int]], *, at: datetime | None = None
) -> list[PricedItem]:
    """`Coverage.price` under the promotions live now (or at `at`)."""
    coverage = await coverage_of({product_id for _, product_id, _, _ in items}, at=at)
    return coverage.price(items)
