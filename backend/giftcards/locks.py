"""Row locks of gift cards (`SELECT … FOR UPDATE`), for the caller's transaction. Every
change of a balance happens under its card's lock, so concurrent checkouts spending one
card queue and each sees the balance the one before it left."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.giftcards.models import GiftCard

GIFT_CARD_NOT_FOUND = "There is no such gift card."


async def lock_gift_card_for_update(session: AsyncSession, card_id: uuid.UUID) -> GiftCard:
    found = await session.get(GiftCard, card_id, with_for_update=True)
    if found is None:
        raise NotFoundError(GIFT_CARD_NOT_FOUND)
    return found


async def lock_gift_card_by_hash_for_update(
    session: AsyncSession, code_hash: str
) -> GiftCard | None:
    return (
        await session.exec(
            select(GiftCard).where(GiftCard.code_hash == code_hash).with_for_update()
        )
    ).first()


async def lock_gift_cards_for_update(
    session: AsyncSession, card_ids: Collection[uuid.UUID]
) -> list[GiftCard]:
    """The cards, locked in id order (two transactions locking the same cards never wait
    for each other crosswise)."""
    if not card_ids:
        return []
    return list(
        (
            await session.exec(
                select(GiftCard)
                .where(col(GiftCard.id).in_(list(card_ids)))
                .order_by(col(GiftCard.id))
                .with_for_update()
            )
        ).all()
    )
