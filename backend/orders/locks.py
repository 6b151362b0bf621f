"""Row locks of orders (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
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


async def lock_expired_unpaid_orders_for_update(
    session: AsyncSession, *, payment_in_flight: Sequence[str], limit: int
) -> Sequence[Order]:
    """Unpaid orders past their time, oldest first, locked; rows another run holds are
    skipped (SKIP LOCKED), so any number of expiry runs share the work."""
    return (
        await session.exec(
            select(Order)
            .where(
                Order.status == "pending_payment",
                col(Order.payment_status).not_in(payment_in_flight),
                col(Order.expires_at) <= func.now(),
            )
            .order_by(col(Order.expires_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
