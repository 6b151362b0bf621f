"""Use cases of the catalog domain: the only code that writes categories and products."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from backend.catalog.errors import DuplicateCategorySlugError, DuplicateSkuError
from backend.catalog.events import ProductChanged
from backend.catalog.inputs import CategoryCreate, ProductCreate
from backend.catalog.models import Category, Product
from backend.core.db import session_scope
from backend.events.outbox import record_event


async def create_category(data: CategoryCreate) -> uuid.UUID:
    try:
        async with session_scope() as session:
            category = Category(**data.model_dump())
            session.add(category)
            await session.flush()
            return category.id
    except IntegrityError as exc:
        if "categories_slug_key" in str(exc.orig):
            raise DuplicateCategorySlugError(
                f"A category with the address “{data.slug}” already exists.", slug=data.slug
            ) from exc
        raise


async def create_product(data: ProductCreate) -> uuid.UUID:
    try:
        async with session_scope() as session:
            product = Product(**data.model_dump())
            session.add(product)
            await session.flush()
            await record_event(
                session,
                ProductChanged(aggregate_id=str(product.id), change="created", sku=product.sku),
            )
            return product.id
    except IntegrityError as exc:
        if "products_sku_key" in str(exc.orig):
            raise DuplicateSkuError(
                f"Another product already uses SKU {data.sku}.", sku=data.sku
            ) from exc
        raise
