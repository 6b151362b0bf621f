"""What the sitemap lists: active products and the categories that have any, with when each
last changed. Products come in chunks of at most 50,000 (the sitemap protocol's limit per
file), in slug order so a chunk's contents stay put as products are added elsewhere."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from backend.catalog.category_queries import get_category_tree
from backend.catalog.models import Product
from backend.core.db import read_scope

# The sitemap protocol's limit of URLs per file (sitemaps.org).
URLS_PER_SITEMAP = 50_000


@dataclass(frozen=True)
class SitemapEntry:
    slug: str
    updated_at: datetime


@dataclass(frozen=True)
class ProductChunk:
    number: int  # from 1
    updated_at: datetime  # the newest change among its products


async def list_product_chunks(per_chunk: int = URLS_PER_SITEMAP) -> list[ProductChunk]:
    """The product sitemap files there are, each with its newest change (one statement)."""
    position = func.row_number().over(order_by=col(Product.slug)) - 1
    ranked = (
        select(
            (position // per_chunk).label("chunk"),
            col(Product.updated_at).label("updated_at"),
        )
        .where(col(Product.is_active))
        .subquery()
    )
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(ranked.c.chunk, func.max(ranked.c.updated_at))
                .group_by(ranked.c.chunk)
                .order_by(ranked.c.chunk)
            )
        ).all()
    return [ProductChunk(number=int(chunk) + 1, updated_at=newest) for chunk, newest in rows]


async def list_product_entries(chunk: int, per_chunk: int = URLS_PER_SITEMAP) -> list[SitemapEntry]:
    """The active products of one sitemap file (`chunk` from 1); empty past the last."""
    if chunk < 1:
        return []
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Product.slug, Product.updated_at)
                .where(col(Product.is_active))
                .order_by(col(Product.slug))
                .offset((chunk - 1) * per_chunk)
                .limit(per_chunk)
            )
        ).all()
    return [SitemapEntry(slug=slug, updated_at=updated_at) for slug, updated_at in rows]


async def list_category_entries() -> list[SitemapEntry]:
    """Categories with at least one active product in their subtree, each dated by the
    newest change among those products."""
    tree = await get_category_tree()
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Product.category_id, func.max(Product.updated_at))
                .where(col(Product.is_active))
                .group_by(col(Product.category_id))
            )
        ).all()
    newest_by_category: dict[uuid.UUID, datetime] = dict(rows)
    entries = []
    for node in tree.nodes:
        dates = [
            newest_by_category[category_id]
            for category_id in tree.subtree_ids(node.id)
            if category_id in newest_by_category
        ]
        if dates:
            entries.append(SitemapEntry(slug=node.slug, updated_at=max(dates)))
    return sorted(entries, key=lambda entry: entry.slug)
