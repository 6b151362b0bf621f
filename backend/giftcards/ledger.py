"""The one way a card's balance changes: an entry in its ledger, written with the new
balance under the card's row lock (the caller holds it, `locks.py`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.money import quantize
from backend.giftcards.models import GiftCard, GiftCardMovement


def move(
    session: AsyncSession,
    card: GiftCard,
    kind: str,
    amount: Decimal,
    *,
    actor: str,
    order_id: uuid.UUID | None = None,
    reference: str | None = None,
    note: str = "",
) -> GiftCardMovement:
    """Change the locked `card`'s balance by `amount` (signed) and write it down.
    Raises ValueError below zero: callers take at most the balance (the table's CHECK
    refuses it too)."""
    amount = quantize(amount)
    after = card.balance + amount
    if after < 0:
        msg = f"gift card {card.id}: {kind} of {amount} would leave {after}"
        raise ValueError(msg)
    card.balance = after
    session.add(card)
    movement = GiftCardMovement(
        gift_card_id=card.id,
        kind=kind,
        amount=amount,
        balance_after=after,
        order_id=order_id,
        reference=reference,
        actor=actor,
        note=note[:500],
    )
    session.add(movement)
    return movement
