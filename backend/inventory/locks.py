"""Row locks of stock (`SELECT … FOR UPDATE` on a product's stock), for the caller's
transaction. Reservations need none: their conditional UPDATE takes the row lock itself."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product


async def lock_stock_for_update(session: AsyncSession, product_id: uuid.UUID) -> int | None:
    """The product's stock now, its row locked; None if there is no such product."""
    return (
        await session.exec(
            select(Product.stock_quantity).where(Product.id == product_id).with_for_update()
        )
    ).first()
