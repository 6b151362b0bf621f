"""Row locks of returns (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.returns.models import ReturnRequest


async def lock_return_for_update(
    session: AsyncSession, return_id: uuid.UUID
) -> tuple[Order, ReturnRequest]:
    """The return and its order, both locked (the order first, as everywhere)."""
    order_id = (
        await session.exec(select(ReturnRequest.order_id).where(ReturnRequest.id == return_id))
    ).first()
    if order_id is None:
        raise NotFoundError("There is no such return.")
    order = await lock_order_for_update(session, order_id)
    request = (
        await session.exec(
            select(ReturnRequest).where(ReturnRequest.id == return_id).with_for_update()
        )
    ).one()
    return order, request
