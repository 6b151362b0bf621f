"""The link in a cart reminder: its lines back in the cart of whoever opens it.

Any browser may open it (the link is the credential: signed, expiring, for this purpose
only); the lines go into that browser's cart at today's prices, since carts hold only
product ids and quantities. A line the cart already holds as many of is left alone, so
opening the link twice does not double anything; products no longer sold, or sold out,
are named. The first opening is recorded for attribution (`attribution.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.cart_recovery.errors import InvalidRestoreLinkError
from backend.cart_recovery.locks import lock_reminder_for_update
from backend.cart_recovery.models import CartReminder
from backend.cart_recovery.schemas import RestoreResult
from backend.cart_recovery.tokens import RESTORE_LINK_TTL, read_restore_token
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import DomainError

INVALID_LINK_MESSAGE = (
    "This link does not work: it may be older than "
    f"{RESTORE_LINK_TTL.days} days or incomplete. Your cart may still hold your items."
)


async def restore_cart(
    token: str, owner: CartOwner, *, now: datetime | None = None
) -> RestoreResult:
    """Put the reminder's lines in `owner`'s cart. Raises InvalidRestoreLinkError."""
    now = now or utcnow()
    reminder_id = read_restore_token(token, now=now)
    if reminder_id is None:
        raise InvalidRestoreLinkError(INVALID_LINK_MESSAGE)
    async with session_scope() as session:
        reminder = await session.get(CartReminder, reminder_id)
        if reminder is None:
            raise InvalidRestoreLinkError(INVALID_LINK_MESSAGE)
        lines = list(reminder.lines)
    result = await _fill(owner, lines)
    if result.restored:
        await _record_first_restore(reminder_id, owner, now)
    return result


async def _fill(owner: CartOwner, lines: list[dict[str, object]]) -> RestoreResult:
    held = await cart_queries.held_quantities(owner)
    restored: list[str] = []
    unavailable: list[str] = []
    for line in lines:
        name = str(line["name"])
        # Reminders sent before variants name the product, whose one variant has its id.
        variant_id = uuid.UUID(str(line.get("variant_id") or line["product_id"]))
        missing = int(str(line["quantity"])) - held.get(variant_id, 0)
        if missing <= 0:
            restored.append(name)
            continue
        try:
            await carts.add_item(owner, variant_id, missing)  # capped at stock, like any add
        except DomainError:
            unavailable.append(name)
            continue
        restored.append(name)
    return RestoreResult(restored=tuple(restored), unavailable=tuple(unavailable))


async def _record_first_restore(reminder_id: uuid.UUID, owner: CartOwner, now: datetime) -> None:
    async with session_scope() as session:
        reminder = await lock_reminder_for_update(session, reminder_id)
        if reminder is not None and reminder.restored_at is None:
            reminder.restored_at, reminder.restored_cart_key = now, owner.key
