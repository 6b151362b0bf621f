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

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart_recovery.locks import lock_reminder_to_attribute_for_update

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
    reminder = await lock_reminder_to_attribute_for_update(
        session,
        cart_key=cart_key,
        user_id=user_id,
        restored_from=placed_at - timedelta(days=ATTRIBUTION_DAYS),
        restored_to=placed_at,
    )
    if reminder is None:
        return None
    reminder.recovered_order_id = order_id
    return reminder.id
