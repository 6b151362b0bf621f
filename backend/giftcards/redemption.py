"""Spending cards on orders and giving the money back, in the order's own transaction.

The orders domain redeems a card while placing an order (`redeem`: the card's row lock
makes concurrent checkouts queue, so the balance never goes below zero), gives it back
when that order is cancelled before it is paid (`return_for_order`), and payments send
refunds of a paid order to its cards first (`refund_to_cards`). What a card paid for an
order, and what came back, is read from the ledger itself (`outstanding_by_card`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.giftcards import codes, ledger
from backend.giftcards.errors import GiftCardRefusedError
from backend.giftcards.locks import lock_gift_card_by_hash_for_update, lock_gift_cards_for_update
from backend.giftcards.models import GiftCard, GiftCardMovement
from backend.giftcards.status import why_unusable

UNKNOWN_CODE = "That gift card code is not valid. Check it and try again."
NOTHING_LEFT = "This gift card has no balance left."
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Redemption:
    gift_card_id: uuid.UUID
    last_four: str
    amount: Decimal  # what the card pays
    balance_after: Decimal

    @property
    def label(self) -> str:
        return f"Gift card {codes.masked(self.last_four)}"


def unusable_reason(card: GiftCard | None, currency: str, now: datetime) -> str | None:
    """Why `card` cannot pay now in `currency` (UNKNOWN_CODE for no card); None if it can."""
    if card is None or card.code_hash is None:
        return UNKNOWN_CODE
    if card.currency != currency:
        return "This gift card is in another currency."
    reason = why_unusable(card, now)
    if reason is None and card.balance <= 0:
        reason = NOTHING_LEFT
    return reason


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    order_id: uuid.UUID,
    amount_due: Decimal,
    currency: str,
    now: datetime,
) -> Redemption:
    """Take what the card holds, up to `amount_due`, for `order_id`. Raises
    GiftCardRefusedError (UNKNOWN_CODE for a code of no card: the caller counts it as a
    guess)."""
    card = None
    if codes.looks_like_a_code(code):
        card = await lock_gift_card_by_hash_for_update(session, codes.code_hash(code))
    reason = unusable_reason(card, currency, now)
    if card is None or reason is not None:
        raise GiftCardRefusedError(reason or UNKNOWN_CODE)
    taken = min(card.balance, amount_due)
    if taken <= 0:
        raise GiftCardRefusedError("There is nothing left to pay with a gift card.")
    ledger.move(session, card, "redeemed", -taken, actor="shopper", order_id=order_id)
    return Redemption(card.id, card.last_four or "", taken, card.balance)


async def outstanding_by_card(
    session: AsyncSession, order_id: uuid.UUID
) -> dict[uuid.UUID, Decimal]:
    """Per card, what it paid for the order and has not had back (returned or refunded)."""
    rows = (
        await session.exec(
            select(GiftCardMovement.gift_card_id, func.sum(GiftCardMovement.amount))
            .where(
                GiftCardMovement.order_id == order_id,
                col(GiftCardMovement.kind).in_(("redeemed", "returned", "refunded")),
            )
            .group_by(col(GiftCardMovement.gift_card_id))
        )
    ).all()
    return {card_id: -net for card_id, net in rows if net is not None and net < 0}


async def return_for_order(session: AsyncSession, order_id: uuid.UUID, *, actor: str) -> Decimal:
    """Give every card back what it paid for an order cancelled before it was paid (or
    expired unpaid); the amount given back. Nothing twice: what came back is subtracted."""
    outstanding = await outstanding_by_card(session, order_id)
    given = ZERO
    for card in await lock_gift_cards_for_update(session, outstanding):
        amount = outstanding[card.id]
        ledger.move(
            session,
            card,
            "returned",
            amount,
            actor=actor,
            order_id=order_id,
            reference=f"return:{order_id}",
            note="Order cancelled before it was paid",
        )
        given += amount
    return given


async def refunded_under(session: AsyncSession, order_id: uuid.UUID, reference: str) -> Decimal:
    """What the refund request `reference` put back on the order's cards (0: none yet)."""
    total = (
        await session.exec(
            select(func.sum(GiftCardMovement.amount)).where(
                GiftCardMovement.order_id == order_id,
                GiftCardMovement.kind == "refunded",
                GiftCardMovement.reference == reference,
            )
        )
    ).one()
    return Decimal(total or ZERO)


async def refund_to_cards(
    session: AsyncSession,
    order_id: uuid.UUID,
    amount: Decimal,
    *,
    reference: str,
    actor: str,
    note: str = "",
) -> Decimal:
    """Put up to `amount` of a refund back on the cards that paid for the order (in the
    order they were locked, each at most what it paid and has not had back); returns how
    much. The rest of the refund is for the card payment."""
    outstanding = await outstanding_by_card(session, order_id)
    given = ZERO
    for card in await lock_gift_cards_for_update(session, outstanding):
        share = min(outstanding[card.id], amount - given)
        if share <= 0:
            break
        ledger.move(
            session,
            card,
            "refunded",
            share,
            actor=actor,
            order_id=order_id,
            reference=reference,
            note=note,
        )
        given += share
    return given
