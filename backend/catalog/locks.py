"""Row locks of the catalog (`SELECT … FOR UPDATE`), for the caller's transaction. Several
rows are always locked in id order (or the caller's stated order), so two writers never
wait on each other in a circle."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Brand, Category, Product
from backend.core.errors import NotFoundError


async def lock_product_for_update(session: AsyncSession, product_id: uuid.UUID) -> None:
    """Take the product's row lock for the rest of the caller's transaction."""
    found = (
        await session.exec(
            select(Product.id).where(col(Product.id) == product_id).with_for_update()
        )
    ).first()
    if found is None:
        raise NotFoundError("This product does not exist or is no longer sold.")


async def lock_product_row_for_update(
    session: AsyncSession, product_id: uuid.UUID
) -> Product | None:
    """The product, locked for the rest of the caller's transaction; None if there is none."""
    return await session.get(Product, product_id, with_for_update=True)


async def lock_products_for_update(
    session: AsyncSession, product_ids: Collection[uuid.UUID]
) -> list[Product]:
    """The products that exist among `product_ids`, locked in id order."""
    return list(
        (
            await session.exec(
                select(Product)
                .where(col(Product.id).in_(product_ids))
                .order_by(col(Product.id))
                .with_for_update()
            )
        ).all()
    )


async def lock_category_for_update(
    session: AsyncSession, category_id: uuid.UUID
) -> Category | None:
    return await session.get(Category, category_id, with_for_update=True)


async def lock_sibling_categories_for_update(
    session: AsyncSession, parent_id: uuid.UUID | None
) -> list[Category]:
    """The categories under one parent (top level for None), in their shown order."""
    return list(
        (
            await session.exec(
                select(Category)
                .where(Category.parent_id == parent_id)
                .order_by(col(Category.position), col(Category.name))
                .with_for_update()
            )
        ).all()
    )


async def lock_brand_for_update(session: AsyncSession, brand_id: uuid.UUID) -> Brand | None:
    return await session.get(Brand, brand_id, with_for_update=True)
