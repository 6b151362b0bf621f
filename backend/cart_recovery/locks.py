"""Row locks of cart reminders (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart_recovery.models import CartReminder


async def lock_reminder_for_update(
    session: AsyncSession, reminder_id: uuid.UUID
) -> CartReminder | None:
    return (
        await session.exec(
            select(CartReminder).where(col(CartReminder.id) == reminder_id).with_for_update()
        )
    ).first()


async def lock_open_reminder_for_update(
    session: AsyncSession, cart_key: str
) -> CartReminder | None:
    """The cart's reminder that is not closed yet (at most one: a partial unique index)."""
    return (
        await session.exec(
            select(CartReminder)
            .where(col(CartReminder.cart_key) == cart_key, col(CartReminder.closed_at).is_(None))
            .with_for_update()
        )
    ).first()


async def lock_reminder_to_attribute_for_update(
    session: AsyncSession,
    *,
    cart_key: str,
    user_id: uuid.UUID | None,
    restored_from: datetime,
    restored_to: datetime,
) -> CartReminder | None:
    """The most recently restored reminder that recovered no order yet, whose link filled
    `cart_key` or reminded `user_id`, restored within [restored_from, restored_to]. One
    another transaction holds is skipped (it is being attributed to another order)."""
    same_cart = col(CartReminder.restored_cart_key) == cart_key
    same_account = (
        and_(col(CartReminder.user_id).is_not(None), col(CartReminder.user_id) == user_id)
        if user_id is not None
        else None
    )
    return (
        await session.exec(
            select(CartReminder)
            .where(
                col(CartReminder.recovered_order_id).is_(None),
                col(CartReminder.restored_at).is_not(None),
                col(CartReminder.restored_at) <= restored_to,
                col(CartReminder.restored_at) >= restored_from,
                or_(same_cart, same_account) if same_account is not None else same_cart,
            )
            .order_by(col(CartReminder.restored_at).desc())
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
