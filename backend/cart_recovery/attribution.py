"""Which order a reminder recovered.

The rule: an order is recovered by a reminder when, at the moment the order is placed,

- the reminder's restore link was first opened at most ATTRIBUTION_DAYS before, and
- the order is placed from the cart that link filled (the browser that opened it), or by
  the reminded account (a link opened signed out, then signed in: the cart merged), and
- the reminder has recovered no order yet.

A reminder recovers at most one order (the first such), an order is recovered by at most
one reminder (the most recently restored; both are UNIQUE in the database). Recovered
revenue counts only those orders that are paid, as the shop's revenue does: the total
minus refunds, on the day the order was placed (`backend/analytics/cart_recovery.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart_recovery.models import CartReminder

ATTRIBUTION_DAYS = 7


async def attribute_order(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    cart_key: str,
    user_id: uuid.UUID | None,
    placed_at: datetime,
) -> uuid.UUID | None:
    """Mark the reminder this new order recovers, if any (in the order's transaction)."""
    same_cart = col(CartReminder.restored_cart_key) == cart_key
    same_account = (
        and_(col(CartReminder.user_id).is_not(None), col(CartReminder.user_id) == user_id)
        if user_id is not None
        else None
    )
    reminder = (
        await session.exec(
            select(CartReminder)
            .where(
                col(CartReminder.recovered_order_id).is_(None),
                col(CartReminder.restored_at).is_not(None),
                col(CartReminder.restored_at) <= placed_at,
                col(CartReminder.restored_at) >= placed_at - timedelta(days=ATTRIBUTION_DAYS),
                or_(same_cart, same_account) if same_account is not None else same_cart,
            )
            .order_by(col(CartReminder.restored_at).desc())
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    if reminder is None:
        return None
    reminder.recovered_order_id = order_id
    return reminder.id
