"""Use cases of the catalog domain: the only code that writes brands, categories and products.

Every product change records `ProductChanged` in its transaction (search, caches and
integrations follow it) and invalidates the catalog cache right after the commit.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from slugify import slugify
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog import cache
from backend.catalog.errors import (
    CategoryInUseError,
    DuplicateCategorySlugError,
    DuplicateSkuError,
    DuplicateSlugError,
)
from backend.catalog.events import ProductChanged
from backend.catalog.inputs import BrandCreate, CategoryCreate, ProductCreate, ProductUpdate
from backend.catalog.models import Brand, Category, Product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.validation import parse_input
from backend.events.outbox import record_event

NOT_FOUND = "There is no such product."


def product_slug(name: str, sku: str) -> str:
    """The storefront address: readable, and unique because the SKU is."""
    return slugify(f"{name[:120]} {sku}", max_length=160)


def brand_slug(name: str) -> str:
    return slugify(name, max_length=120) or "brand"


async def _ensure_brand(session: AsyncSession, name: str | None) -> None:
    if name:
        await session.exec(
            insert(Brand)
            .values(name=name, slug=brand_slug(name))
            .on_conflict_do_nothing(index_elements=["name"])
        )


def _integrity_error(error: IntegrityError, data: dict[str, Any]) -> Exception:
    text = str(error.orig)
    if "products_sku_key" in text:
        return DuplicateSkuError(
            f"Another product already uses SKU {data.get('sku')}.", field="sku", sku=data.get("sku")
        )
    if "products_slug_key" in text:
        return DuplicateSlugError("Another product already uses this address.", field="slug")
    if "products_category_id_fkey" in text:
        return InvalidInputError(
            "Choose an existing category.", {"category_id": "Choose an existing category."}
        )
    return error


async def _changed(
    session: AsyncSession, product: Product, change: Literal["created", "updated", "deleted"]
) -> None:
    await record_event(
        session, ProductChanged(aggregate_id=str(product.id), change=change, sku=product.sku)
    )


async def create_brand(data: BrandCreate) -> uuid.UUID:
    async with session_scope() as session:
        await _ensure_brand(session, data.name)
        return (await session.exec(select(Brand.id).where(Brand.name == data.name))).one()


async def create_category(data: CategoryCreate) -> uuid.UUID:
    try:
        async with session_scope() as session:
            category = Category(**data.model_dump())
            session.add(category)
            await session.flush()
            category_id = category.id
    except IntegrityError as exc:
        if "categories_slug_key" in str(exc.orig):
            raise DuplicateCategorySlugError(
                f"A category with the address “{data.slug}” already exists.",
                field="slug",
                slug=data.slug,
            ) from exc
        raise
    await cache.invalidate_after_commit()
    return category_id


async def delete_category(category_id: uuid.UUID) -> None:
    """Refused while products or subcategories use it."""
    try:
        async with session_scope() as session:
            category = await session.get(Category, category_id)
            if category is None:
                raise NotFoundError("There is no such category.")
            await session.delete(category)
            await session.flush()
    except IntegrityError as exc:
        raise CategoryInUseError(
            "This category still has products or subcategories: move them first."
        ) from exc
    await cache.invalidate_after_commit()


async def create_product(data: ProductCreate | dict[str, Any]) -> uuid.UUID:
    product_input = data if isinstance(data, ProductCreate) else parse_input(ProductCreate, data)
    values = product_input.model_dump()
    values["slug"] = values["slug"] or product_slug(product_input.name, product_input.sku)
    try:
        async with session_scope() as session:
            await _ensure_brand(session, product_input.brand)
            product = Product(**values)
            session.add(product)
            await session.flush()
            await _changed(session, product, "created")
            product_id = product.id
    except IntegrityError as exc:
        raise _integrity_error(exc, values) from exc
    await cache.invalidate_after_commit()
    return product_id


async def update_product(product_id: uuid.UUID, data: ProductUpdate | dict[str, Any]) -> None:
    """Change only the given fields (PATCH); PUT callers pass every field."""
    change = data if isinstance(data, ProductUpdate) else parse_input(ProductUpdate, data)
    values = change.model_dump(exclude_unset=True)
    try:
        async with session_scope() as session:
            product = await session.get(Product, product_id, with_for_update=True)
            if product is None:
                raise NotFoundError(NOT_FOUND)
            if "brand" in values:
                await _ensure_brand(session, values["brand"])
            for field, value in values.items():
                setattr(product, field, value)
            await session.flush()
            await _changed(session, product, "updated")
    except IntegrityError as exc:
        raise _integrity_error(exc, values) from exc
    await cache.invalidate_after_commit()


async def set_product_active(product_id: uuid.UUID, *, active: bool) -> None:
    await update_product(product_id, ProductUpdate(is_active=active))


async def delete_product(product_id: uuid.UUID) -> None:
    async with session_scope() as session:
        product = await session.get(Product, product_id, with_for_update=True)
        if product is None:
            raise NotFoundError(NOT_FOUND)
        await _changed(session, product, "deleted")
        await session.delete(product)
    await cache.invalidate_after_commit()
