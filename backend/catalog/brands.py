"""Use cases for brands: list, create, rename, delete. Admins only. A brand's name is part
of its products' search documents: a rename records `ProductsChanged` for them in the same
transaction, so the worker re-indexes exactly those."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.errors import (
    BrandInUseError,
    DuplicateBrandError,
)
from backend.catalog.inputs import BrandCreate
from backend.catalog.locks import (
    lock_brand_for_update,
)
from backend.catalog.models import Brand, Product
from backend.catalog.services import (
    CHANGE_CATALOG,
    brand_slug,
    record_matching_products_changed,
)
from backend.core.db import session_scope
from backend.core.errors import NotFoundError

BRAND_NOT_FOUND = "There is no such brand."


@dataclass(frozen=True)
class BrandRow:
    id: uuid.UUID
    name: str
    slug: str
    product_count: int


async def list_brands(actor: Viewer) -> list[BrandRow]:
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    used = (
        select(func.count())
        .select_from(Product)
        .where(col(Product.brand) == col(Brand.name))
        .scalar_subquery()
    )
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Brand.id, Brand.name, Brand.slug, used).order_by(func.lower(Brand.name))
            )
        ).all()
    return [BrandRow(*row) for row in rows]


def _duplicate_brand(error: IntegrityError, name: str) -> Exception:
    if "brands_name_key" in str(error.orig) or "brands_slug_key" in str(error.orig):
        return DuplicateBrandError(f"There is already a brand called “{name}”.", field="name")
    return error


async def create_brand(data: BrandCreate, *, actor: Viewer) -> uuid.UUID:
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    try:
        async with session_scope() as session:
            brand = Brand(name=data.name, slug=brand_slug(data.name))
            session.add(brand)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="brand.created",
                entity_type="brand",
                entity_id=brand.id,
                after={"name": data.name},
            )
            brand_id = brand.id
    except IntegrityError as exc:
        raise _duplicate_brand(exc, data.name) from exc
    await cache.invalidate_after_commit()
    return brand_id


async def rename_brand(brand_id: uuid.UUID, data: BrandCreate, *, actor: Viewer) -> None:
    """Products follow the new name (the foreign key cascades) and are re-indexed."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    try:
        async with session_scope() as session:
            brand = await lock_brand_for_update(session, brand_id)
            if brand is None:
                raise NotFoundError(BRAND_NOT_FOUND)
            if brand.name == data.name:
                return
            old_name = brand.name
            await session.exec(
                update(Brand)
                .where(col(Brand.id) == brand_id)
                .values(name=data.name, slug=brand_slug(data.name))
            )
            await record_matching_products_changed(
                session, col(Product.brand) == data.name, reason="brand_renamed"
            )
            audit.record(
                session,
                actor=actor,
                action="brand.renamed",
                entity_type="brand",
                entity_id=brand_id,
                before={"name": old_name},
                after={"name": data.name},
            )
    except IntegrityError as exc:
        raise _duplicate_brand(exc, data.name) from exc
    await cache.invalidate_after_commit()


async def delete_brand(brand_id: uuid.UUID, *, actor: Viewer) -> None:
    """Refused while products carry the brand."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    try:
        async with session_scope() as session:
            brand = await lock_brand_for_update(session, brand_id)
            if brand is None:
                raise NotFoundError(BRAND_NOT_FOUND)
            products = (
                await session.exec(
                    select(func.count()).select_from(Product).where(Product.brand == brand.name)
                )
            ).one()
            if products:
                raise BrandInUseError(
                    f"{products} product{'s' if products != 1 else ''} still carr"
                    f"{'y' if products != 1 else 'ies'} the brand “{brand.name}”: "
                    "change their brand first.",
                    products=products,
                )
            audit.record(
                session,
                actor=actor,
                action="brand.deleted",
                entity_type="brand",
                entity_id=brand_id,
                before={"name": brand.name},
            )
            await session.delete(brand)
            await session.flush()
    except IntegrityError as exc:
        raise BrandInUseError("Products still carry this brand: change their brand first.") from exc
    await cache.invalidate_after_commit()
