"""Reading categories: the (cached) category tree, a category by its slug, the top
categories with their product counts."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog import cache
from backend.catalog.models import Category, Product
from backend.catalog.schemas import (
    CategoryNode,
    CategorySummary,
    CategoryTree,
    to_json,
)
from backend.core.db import read_scope

CATEGORY_NOT_FOUND = "There is no such category."


async def load_category_tree() -> CategoryTree:
    """The tree as the database has it now (no cache): for readers that must not lag."""
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    statement: SQLModelSelect[uuid.UUID, str, str, uuid.UUID | None, int, str | None] = (
        SQLModelSelect(
            col(Category.id),
            col(Category.name),
            col(Category.slug),
            col(Category.parent_id),
            col(Category.position),
            col(Category.description),
        )
    )
    async with read_scope() as session:
        rows = (await session.exec(statement)).all()
    return CategoryTree(
        nodes=tuple(
            CategoryNode(
                id=r[0], name=r[1], slug=r[2], parent_id=r[3], position=r[4], description=r[5] or ""
            )
            for r in rows
        )
    )


async def get_category_tree() -> CategoryTree:
    return await cache.cached(
        {"tree": 1}, load_category_tree, encode=to_json, decode=CategoryTree.from_json
    )


async def find_category_id(slug: str) -> uuid.UUID | None:
    node = (await load_category_tree()).by_slug(slug)
    return node.id if node else None


async def list_top_categories() -> list[CategorySummary]:
    """Top-level categories in display order, each counting the active products of its
    whole subtree (one SQL statement besides the cached tree)."""

    async def load() -> list[CategorySummary]:
        tree = await get_category_tree()
        async with read_scope() as session:
            counts = dict(
                (
                    await session.exec(
                        select(Product.category_id, func.count())
                        .where(col(Product.is_active))
                        .group_by(col(Product.category_id))
                    )
                ).all()
            )
        return [
            CategorySummary(
                id=node.id,
                name=node.name,
                slug=node.slug,
                product_count=sum(counts.get(i, 0) for i in tree.subtree_ids(node.id)),
            )
            for node in tree.children(None)
        ]

    return await cache.cached(
        {"top_categories": 1},
        load,
        encode=lambda items: [to_json(item) for item in items],
        decode=lambda data: [
            CategorySummary(
                id=uuid.UUID(d["id"]),
                name=d["name"],
                slug=d["slug"],
                product_count=d["product_count"],
            )
            for d in data
        ],
    )
