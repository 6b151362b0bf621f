"""How often a customer has had a promotion limited per customer: counted over their
orders (their account's, or placed with their e-mail address) that got it and were not
cancelled. Checkout counts inside the order's transaction under a lock per promotion and
address, so two tabs placing at once cannot both get a once-per-customer promotion."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.merchandising.order_offers import OrderOffer
from backend.orders.models import Order


async def used_up(
    session: AsyncSession,
    offers: Sequence[OrderOffer],
    *,
    email: str,
    user_id: uuid.UUID | None,
    lock: bool,
) -> frozenset[uuid.UUID]:
    """The limited promotions this customer has had as often as they may. `lock`: in the
    placing transaction, hold each count until it commits."""
    spent = set()
    address = email.strip().lower()
    for offer in sorted(
        (o for o in offers if o.limit_per_customer is not None), key=lambda o: str(o.id)
    ):
        if lock:
            await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                params={"key": f"promotion-use:{offer.id}:{address}"},
            )
        theirs = func.lower(Order.email) == address
        if user_id is not None:
            theirs = or_(theirs, col(Order.user_id) == user_id)
        used = (
            await session.exec(
                select(func.count())
                .select_from(Order)
                .where(
                    or_(
                        col(Order.order_promotion_id) == offer.id,
                        col(Order.shipping_promotion_id) == offer.id,
                    ),
                    col(Order.status) != "cancelled",
                    theirs,
                )
            )
        ).one()
        if offer.limit_per_customer is not None and used >= offer.limit_per_customer:
            spent.add(offer.id)
    return frozenset(spent)
