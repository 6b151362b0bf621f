"""Reading collections: the storefront's (live ones only: a page, the home page's, the
sitemap's) and the admin's (every one, with its status and product count), and the scope
that narrows a catalog listing to a collection's products (its page, in
`storefront_catalog.py`, has the category page's filters, facets, sorting and cache)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.category_queries import get_category_tree
from backend.catalog.listing import (
    SortField,
    SortOrder,
)
from backend.catalog.listing_queries import ListingScope
from backend.catalog.models import Product
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.merchandising.locks import COLLECTION_NOT_FOUND
from backend.merchandising.models import MANUAL, Collection, CollectionProduct
from backend.merchandising.rules import CollectionRule, Match, rules_clause

MANAGE_COLLECTIONS = "manage collections"
FEATURED_FIRST: tuple[SortField, SortOrder] = ("featured", "asc")


@dataclass(frozen=True)
class CollectionView:
    id: uuid.UUID
    slug: str
    title: str
    description: str
    image_url: str | None
    kind: str
    match: Match
    rules: tuple[CollectionRule, ...]
    product_ids: tuple[uuid.UUID, ...]  # a manual collection's, in its order
    starts_at: datetime | None
    ends_at: datetime | None
    home_position: int | None
    updated_at: datetime

    @property
    def path(self) -> str:
        return f"/collections/{self.slug}"

    def status(self, now: datetime) -> str:
        """ "scheduled", "active" or "ended" at `now`."""
        if self.starts_at is not None and self.starts_at > now:
            return "scheduled"
        if self.ends_at is not None and self.ends_at <= now:
            return "ended"
        return "active"


@dataclass(frozen=True)
class CollectionRow:
    """A line of the admin's list."""

    collection: CollectionView
    status: str
    product_count: int
    rules_text: str  # "brand is Nordwerk and price below 50.00", "" for a manual one


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(
        or_(col(Collection.starts_at).is_(None), col(Collection.starts_at) <= now),
        or_(col(Collection.ends_at).is_(None), col(Collection.ends_at) > now),
    )


async def views_of(rows: Sequence[Collection]) -> list[CollectionView]:
    """Collection rows as views, a manual one's products read with them (one query)."""
    manual_ids = [row.id for row in rows if row.kind == MANUAL]
    picked: dict[uuid.UUID, list[uuid.UUID]] = {}
    if manual_ids:
        async with read_scope() as session:
            for collection_id, product_id in (
                await session.exec(
                    select(CollectionProduct.collection_id, CollectionProduct.product_id)
                    .where(col(CollectionProduct.collection_id).in_(manual_ids))
                    .order_by(col(CollectionProduct.position))
                )
            ).all():
                picked.setdefault(collection_id, []).append(product_id)
    return [
        CollectionView(
            id=row.id,
            slug=row.slug,
            title=row.title,
            description=row.description,
            image_url=row.image_url,
            kind=row.kind,
            match="any" if row.match == "any" else "all",
            rules=tuple(CollectionRule.model_validate(rule) for rule in row.rules),
            product_ids=tuple(picked.get(row.id, ())),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            home_position=row.home_position,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


async def _select(*where: Any, order_by: Sequence[Any] = ()) -> list[CollectionView]:
    async with read_scope() as session:
        rows = (await session.exec(select(Collection).where(*where).order_by(*order_by))).all()
    return await views_of(rows)


def collection_scope_key(collection: CollectionView, now: datetime) -> str:
    """The key of `collection_scope`: it moves when the collection is saved and, for rules
    relative to now ("added in the last 30 days"), every minute."""
    key = f"collection:{collection.id}:{collection.updated_at.isoformat()}"
    if collection.kind != MANUAL and any(rule.relative_to_now for rule in collection.rules):
        key += f":{now.replace(second=0, microsecond=0).isoformat()}"
    return key


async def collection_scope(collection: CollectionView, now: datetime) -> ListingScope:
    """What a listing of the collection's products is narrowed to (see ListingScope)."""
    key = collection_scope_key(collection, now)
    if collection.kind == MANUAL:
        picked = select(CollectionProduct.product_id).where(
            col(CollectionProduct.collection_id) == collection.id
        )
        position = (
            select(CollectionProduct.position)
            .where(
                col(CollectionProduct.collection_id) == collection.id,
                col(CollectionProduct.product_id) == col(Product.id),
            )
            .correlate(Product)
            .scalar_subquery()
        )
        return ListingScope(key=key, where=col(Product.id).in_(picked), featured_order=position)
    # Rules relative to now are evaluated to the minute, and their listings cached per
    # minute (the key says which).
    minute = now.replace(second=0, microsecond=0)
    tree = await get_category_tree()
    return ListingScope(
        key=key, where=rules_clause(collection.rules, collection.match, tree, minute)
    )


async def get_live_collection(slug: str, *, now: datetime | None = None) -> CollectionView:
    """The collection at `slug` if the storefront shows it now."""
    now = now or datetime.now(UTC)
    found = await _select(col(Collection.slug) == slug, _live(now))
    if not found:
        raise NotFoundError(COLLECTION_NOT_FOUND)
    return found[0]


async def list_home_collections() -> list[CollectionView]:
    """The live collections the merchant put on the home page, in the merchant's order."""
    now = datetime.now(UTC)
    return await _select(
        col(Collection.home_position).is_not(None),
        _live(now),
        order_by=[col(Collection.home_position), col(Collection.title)],
    )


async def list_live_collections() -> list[CollectionView]:
    """Every collection the storefront shows now, by title (the sitemap, the API)."""
    return await _select(_live(datetime.now(UTC)), order_by=[func.lower(Collection.title)])


async def _count(scope: ListingScope) -> int:
    async with read_scope() as session:
        return (
            await session.exec(
                select(func.count()).select_from(Product).where(col(Product.is_active), scope.where)
            )
        ).one()


async def count_matching(rules: Sequence[CollectionRule], match: Match, *, actor: Viewer) -> int:
    """How many active products the rules match now: the rule builder's live count."""
    require_permission(actor, Permission.CATALOG, MANAGE_COLLECTIONS)
    now = datetime.now(UTC)
    clause = rules_clause(rules, match, await get_category_tree(), now)
    return await _count(ListingScope(key="", where=clause))


async def list_collections(actor: Viewer) -> list[CollectionRow]:
    """Every collection, home page ones first in their order, then by title."""
    require_permission(actor, Permission.CATALOG, MANAGE_COLLECTIONS)
    now = datetime.now(UTC)
    tree = await get_category_tree()
    views = await _select(
        order_by=[
            col(Collection.home_position).asc().nulls_last(),
            func.lower(Collection.title),
        ]
    )
    rows = []
    for view in views:
        count = await _count(await collection_scope(view, now))
        joiner = " and " if view.match == "all" else " or "
        rows.append(
            CollectionRow(
                collection=view,
                status=view.status(now),
                product_count=count,
                rules_text=joiner.join(rule.describe(tree) for rule in view.rules),
            )
        )
    return rows


async def get_collection(collection_id: uuid.UUID, *, actor: Viewer) -> CollectionView:
    """Any collection, live or not (the editor)."""
    require_permission(actor, Permission.CATALOG, MANAGE_COLLECTIONS)
    found = await _select(col(Collection.id) == collection_id)
    if not found:
        raise NotFoundError(COLLECTION_NOT_FOUND)
    return found[0]
