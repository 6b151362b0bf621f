"""Cards bought in the shop: issued once their order is paid, one per order line (issuing
again finds the card made before), and e-mailed to the recipient (or the buyer) on the
day the buyer chose."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col

from backend.core.db import session_scope
from backend.events.outbox import record_event
from backend.giftcards import ledger
from backend.giftcards.events import GiftCardIssued
from backend.giftcards.locks import lock_gift_card_for_update
from backend.giftcards.models import GiftCard


@dataclass(frozen=True)
class BoughtCard:
    """A gift card line of a paid order, as the buyer filled it in."""

    order_line_id: uuid.UUID
    amount: Decimal
    currency: str
    recipient_email: str  # the buyer's address when they named no recipient
    recipient_name: str
    sender_name: str
    message: str
    send_at: datetime | None


async def issue_bought(cards: Sequence[BoughtCard]) -> list[uuid.UUID]:
    """Issue each bought card not issued yet (safe to repeat); the ids of those issued now."""
    issued: list[uuid.UUID] = []
    async with session_scope() as session:
        for card in cards:
            inserted = (
                await session.exec(
                    insert(GiftCard)
                    .values(
                        currency=card.currency,
                        initial_amount=card.amount,
                        balance=Decimal("0.00"),
                        source="purchase",
                        order_line_id=card.order_line_id,
                        recipient_email=card.recipient_email,
                        recipient_name=card.recipient_name,
                        sender_name=card.sender_name,
                        message=card.message,
                        send_at=card.send_at,
                    )
                    .on_conflict_do_nothing(index_elements=["order_line_id"])
                    .returning(col(GiftCard.id))
                )
            ).first()
            if inserted is None:
                continue  # issued by an earlier run
            card_id: uuid.UUID = inserted[0]
            new = await lock_gift_card_for_update(session, card_id)
            ledger.move(session, new, "issued", card.amount, actor="system", note="Bought")
            await record_event(
                session, GiftCardIssued(aggregate_id=str(card_id), to_be_emailed=True)
            )
            issued.append(card_id)
    return issued
