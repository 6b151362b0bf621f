"""Row locks of orders (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.orders.models import Order


async def lock_order_for_update(session: AsyncSession, order_id: uuid.UUID) -> Order:
    order = (
        await session.exec(select(Order).where(Order.id == order_id).with_for_update())
    ).first()
    if order is None:
        raise NotFoundError("There is no such order.")
    return order
