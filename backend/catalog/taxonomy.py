"""Use cases for the catalog's category tree (brands: `brands.py`). Admins only.

Category names and paths, and brand names, are part of every product's search document:
a rename or a move records `ProductChanged` for each product concerned, in the same
transaction, so the worker re-indexes exactly those.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.errors import (
    CategoryInUseError,
    DuplicateCategorySlugError,
)
from backend.catalog.inputs import CATEGORY_SLUG_MAX, CategoryCreate, CategoryUpdate
from backend.catalog.locks import (
    lock_category_for_update,
    lock_sibling_categories_for_update,
)
from backend.catalog.models import Category, Product
from backend.catalog.services import (
    CHANGE_CATALOG,
    record_matching_products_changed,
)
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError

CATEGORY_NOT_FOUND = "There is no such category."
CATEGORY_SLUG_LENGTH = CATEGORY_SLUG_MAX


@dataclass(frozen=True)
class CategoryRow:
    """A category as the admin tree shows it, with its direct products."""

    id: uuid.UUID
    name: str
    slug: str
    description: str
    parent_id: uuid.UUID | None
    position: int
    depth: int
    product_count: int
    child_count: int


def category_slug(name: str) -> str:
    return slugify(name, max_length=CATEGORY_SLUG_LENGTH) or "category"


async def _subtree_ids(session: AsyncSession, category_id: uuid.UUID) -> list[uuid.UUID]:
    parents = dict((await session.exec(select(Category.id, Category.parent_id))).all())
    found, pending = [], [category_id]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(child for child, parent in parents.items() if parent == current)
    return found


def _duplicate_slug(error: IntegrityError, slug: str | None) -> Exception:
    if "categories_slug_key" in str(error.orig):
        message = f"A category with the address “{slug}” already exists."
        return DuplicateCategorySlugError(message, field="slug", slug=slug)
    if "categories_parent_id_fkey" in str(error.orig):
        return InvalidInputError(
            "Choose an existing parent category.", {"parent_id": "Choose an existing category."}
        )
    return error


async def list_categories(actor: Viewer) -> list[CategoryRow]:
    """The whole tree in display order (each parent before its children), for staff."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    async with session_scope() as session:
        categories = (await session.exec(select(Category))).all()
        counts = dict(
            (
                await session.exec(
                    select(Product.category_id, func.count()).group_by(col(Product.category_id))
                )
            ).all()
        )
    children: dict[uuid.UUID | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[CategoryRow] = []

    def walk(parent_id: uuid.UUID | None, depth: int) -> None:
        for category in sorted(children.get(parent_id, []), key=lambda c: (c.position, c.name)):
            rows.append(
                CategoryRow(
                    id=category.id,
                    name=category.name,
                    slug=category.slug,
                    description=category.description or "",
                    parent_id=category.parent_id,
                    position=category.position,
                    depth=depth,
                    product_count=counts.get(category.id, 0),
                    child_count=len(children.get(category.id, [])),
                )
            )
            walk(category.id, depth + 1)

    walk(None, 0)
    return rows


async def create_category(data: CategoryCreate, *, actor: Viewer) -> uuid.UUID:
    """A new category, last among its siblings unless a position is given."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    slug = data.slug or category_slug(data.name)
    try:
        async with session_scope() as session:
            position = data.position
            if not position:
                position = (
                    await session.exec(
                        select(func.coalesce(func.max(Category.position) + 1, 0)).where(
                            Category.parent_id == data.parent_id
                        )
                    )
                ).one()
            category = Category(**{**data.model_dump(), "slug": slug, "position": position})
            session.add(category)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="category.created",
                entity_type="category",
                entity_id=category.id,
                after={"name": category.name, "slug": slug, "parent_id": data.parent_id},
            )
            category_id = category.id
    except IntegrityError as exc:
        raise _duplicate_slug(exc, slug) from exc
    await cache.invalidate_after_commit()
    return category_id


async def update_category(category_id: uuid.UUID, data: CategoryUpdate, *, actor: Viewer) -> None:
    """Rename, re-address, describe, or move under another parent (nest); never under
    itself or one of its own subcategories."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    values = data.model_dump(exclude_unset=True)
    try:
        async with session_scope() as session:
            category = await lock_category_for_update(session, category_id)
            if category is None:
                raise NotFoundError(CATEGORY_NOT_FOUND)
            subtree = await _subtree_ids(session, category_id)
            if "parent_id" in values and values["parent_id"] in subtree:
                raise InvalidInputError(
                    "A category cannot be moved under itself or its own subcategories.",
                    {"parent_id": "Choose a category outside this one."},
                )
            changed = {k: v for k, v in values.items() if getattr(category, k) != v}
            if not changed:
                return
            before = {field: getattr(category, field) for field in changed}
            if "parent_id" in changed:
                # Last among its new siblings.
                category.position = (
                    await session.exec(
                        select(func.coalesce(func.max(Category.position) + 1, 0)).where(
                            Category.parent_id == changed["parent_id"]
                        )
                    )
                ).one()
            for field, value in changed.items():
                setattr(category, field, value)
            await session.flush()
            if {"name", "slug", "parent_id"} & changed.keys():
                await record_matching_products_changed(
                    session, col(Product.category_id).in_(subtree), reason="category_changed"
                )
            audit.record(
                session,
                actor=actor,
                action="category.updated",
                entity_type="category",
                entity_id=category_id,
                before=before,
                after=changed,
            )
    except IntegrityError as exc:
        raise _duplicate_slug(exc, values.get("slug")) from exc
    await cache.invalidate_after_commit()


async def move_category(category_id: uuid.UUID, *, offset: int, actor: Viewer) -> None:
    """Move a category `offset` places among its siblings (−1: up, +1: down); the
    siblings are renumbered 0, 1, 2… in their shown order."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    async with session_scope() as session:
        category = await session.get(Category, category_id)
        if category is None:
            raise NotFoundError(CATEGORY_NOT_FOUND)
        siblings = await lock_sibling_categories_for_update(session, category.parent_id)
        index = next(i for i, sibling in enumerate(siblings) if sibling.id == category_id)
        target = max(0, min(len(siblings) - 1, index + offset))
        if target == index:
            return
        siblings.insert(target, siblings.pop(index))
        for position, sibling in enumerate(siblings):
            sibling.position = position
        audit.record(
            session,
            actor=actor,
            action="category.moved",
            entity_type="category",
            entity_id=category_id,
            before={"position": index},
            after={"position": target},
        )
    await cache.invalidate_after_commit()


async def delete_category(category_id: uuid.UUID, *, actor: Viewer) -> None:
    """Refused, with the reason, while products or subcategories use it."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    try:
        async with session_scope() as session:
            category = await lock_category_for_update(session, category_id)
            if category is None:
                raise NotFoundError(CATEGORY_NOT_FOUND)
            products = (
                await session.exec(
                    select(func.count())
                    .select_from(Product)
                    .where(Product.category_id == category_id)
                )
            ).one()
            children = (
                await session.exec(
                    select(func.count())
                    .select_from(Category)
                    .where(Category.parent_id == category_id)
                )
            ).one()
            if products or children:
                uses = " and ".join(
                    part
                    for part in (
                        f"{products} product{'s' if products != 1 else ''}" if products else "",
                        f"{children} subcategor{'ies' if children != 1 else 'y'}"
                        if children
                        else "",
                    )
                    if part
                )
                raise CategoryInUseError(
                    f"“{category.name}” still has {uses}: move them to another category first.",
                    products=products,
                    subcategories=children,
                )
            audit.record(
                session,
                actor=actor,
                action="category.deleted",
                entity_type="category",
                entity_id=category_id,
                before={"name": category.name, "slug": category.slug},
            )
            await session.delete(category)
            await session.flush()
    except IntegrityError as exc:
        # A product was added to it meanwhile: the foreign key refused the delete.
        raise CategoryInUseError(
            "This category still has products or subcategories: move them first."
        ) from exc
    await cache.invalidate_after_commit()
