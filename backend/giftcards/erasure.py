"""Forgetting a person on gift cards: cards sent to their address keep their balance and
ledger (the money is the holder's) but not the address, name or message; cards they
bought keep no sender name or message. A card that had not gone out yet is not sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.redaction import ERASED, ERASED_EMAIL
from backend.giftcards.models import GiftCard


async def forget_person(
    session: AsyncSession, email: str, bought_lines: Sequence[uuid.UUID]
) -> None:
    """`bought_lines`: the gift card order lines of the person's orders."""
    await session.exec(
        update(GiftCard)
        .where(func.lower(GiftCard.recipient_email) == email.lower())
        .values(
            recipient_email=ERASED_EMAIL,
            recipient_name=ERASED,
            message="",
            delivered_at=func.coalesce(GiftCard.delivered_at, utcnow()),
        )
    )
    if bought_lines:
        await session.exec(
            update(GiftCard)
            .where(col(GiftCard.order_line_id).in_(list(bought_lines)))
            .values(sender_name=ERASED, message="")
        )
