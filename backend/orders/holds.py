"""Orders held unpaid: how many one cart or one e-mail address holds right now.

Read inside a placement's own transaction (`place_order`'s `admit`), under a
transaction-level advisory lock on the cart or the address: a second placement for the
same one waits there until the first has committed or rolled back, and then counts it.
So concurrent placements of one session are counted one after the other, and a limit on
these counts holds under concurrency too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.orders.models import Order

_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


@dataclass(frozen=True)
class UnpaidHold:
    count: int
    # When the first of them is cancelled unless it is paid (None: none held).
    first_expiry: datetime | None


async def _lock(session: AsyncSession, key: str) -> None:
    await session.exec(_LOCK, params={"key": key})  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause


async def _held(session: AsyncSession, condition: ColumnElement[bool]) -> UnpaidHold:
    count, first_expiry = (
        await session.exec(
            select(func.count(), func.min(Order.expires_at)).where(
                Order.status == "pending_payment", condition
            )
        )
    ).one()
    return UnpaidHold(int(count), first_expiry)


async def unpaid_orders_of_cart(session: AsyncSession, cart_key: str) -> UnpaidHold:
    """Orders placed from this cart (a guest's cookie or an account) and not yet paid,
    cancelled or expired. Locks the count for the caller's transaction."""
    await _lock(session, f"unpaid-orders:cart:{cart_key}")
    return await _held(session, col(Order.cart_key) == cart_key)


async def unpaid_orders_for_email(session: AsyncSession, email: str) -> UnpaidHold:
    """Unpaid orders carrying this e-mail address (any case). Locks the count for the
    caller's transaction; take it after the cart's, as `place_order` does."""
    address = email.strip().lower()
    await _lock(session, f"unpaid-orders:email:{address}")
    return await _held(session, func.lower(Order.email) == address)
