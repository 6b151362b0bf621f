"""Row locks of the catalog (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product
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
