"""Row locks of stock, for the caller's transaction. Whoever changes variants' stock locks
their products' rows first, in id order (`lock_products_of_variants`), as the catalog's
editor does: one order of locks for every writer, so none waits on another in a circle.
"""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product, ProductVariant


async def lock_products_of_variants(session: AsyncSession, variant_ids: list[uuid.UUID]) -> None:
    """Lock the rows of the products these variants belong to, in product-id order."""
    if not variant_ids:
        return
    owners = select(ProductVariant.product_id).where(col(ProductVariant.id).in_(variant_ids))
    await session.exec(
        select(Product.id)
        .where(col(Product.id).in_(owners))
        .order_by(col(Product.id))
        .with_for_update()
    )


async def lock_variant_stock_for_update(session: AsyncSession, variant_id: uuid.UUID) -> int | None:
    """The variant's stock now, its row locked; None if there is no such variant."""
    return (
        await session.exec(
            select(ProductVariant.stock_quantity)
            .where(ProductVariant.id == variant_id)
            .with_for_update()
        )
    ).first()
