"""E-mailing cards to their recipients on the chosen day, and expiring balances.

A card to be e-mailed has no code until the e-mail is written: `issue_code` makes one
(and stores only its hash) inside the message's own rendering, which the notifications
domain does under the message's row lock, so the code exists in the e-mail and nowhere
else. A second attempt of a failed send makes a new code (the first one never arrived,
or arrived and stops working: the newest e-mail is the one that counts). Staff can send
a card again (`resend`): a new code, and the old one stops working.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.giftcards import codes, ledger
from backend.giftcards.events import GiftCardIssued
from backend.giftcards.locks import lock_gift_card_for_update
from backend.giftcards.models import GiftCard


@dataclass(frozen=True)
class Delivery:
    """A card due to be e-mailed: where, and the key that sends it once."""

    card_id: uuid.UUID
    recipient_email: str
    message_key: str


@dataclass(frozen=True)
class GiftCardLetter:
    """What the e-mail says: the fresh code and the card's details."""

    code: str
    balance: Decimal
    currency: str
    recipient_name: str
    sender_name: str
    message: str
    expires_at: datetime | None


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(GiftCard.delivered_at).is_(None),
        col(GiftCard.recipient_email).is_not(None),
        col(GiftCard.is_active).is_(True),
        or_(col(GiftCard.send_at).is_(None), col(GiftCard.send_at) <= now),
    ]


def _delivery(card: GiftCard) -> Delivery:
    round_ = (card.send_at or card.created_at).isoformat()
    return Delivery(card.id, card.recipient_email or "", f"gift-card:{card.id}:{round_}")


async def due_delivery(card_id: uuid.UUID, *, now: datetime | None = None) -> Delivery | None:
    """The card's delivery if it is due now (not sent, switched on, its day has come)."""
    async with session_scope() as session:
        card = (
            await session.exec(
                select(GiftCard).where(GiftCard.id == card_id, *_due(now or utcnow()))
            )
        ).first()
    return _delivery(card) if card is not None else None


async def deliveries_due(*, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
    """Cards whose day has come and that were not sent yet, oldest first."""
    async with session_scope() as session:
        cards = (
            await session.exec(
                select(GiftCard)
                .where(*_due(now or utcnow()))
                .order_by(col(GiftCard.send_at).nulls_first(), col(GiftCard.created_at))
                .limit(limit)
            )
        ).all()
    return [_delivery(card) for card in cards]


async def issue_code(card_id: uuid.UUID) -> GiftCardLetter:
    """A new code for the card (its hash replaces any earlier one), for the e-mail."""
    code = codes.new_code()
    async with session_scope() as session:
        card = await lock_gift_card_for_update(session, card_id)
        card.code_hash, card.last_four = codes.code_hash(code), codes.last_four(code)
        session.add(card)
        return GiftCardLetter(
            code=code,
            balance=card.balance,
            currency=card.currency,
            recipient_name=card.recipient_name,
            sender_name=card.sender_name,
            message=card.message,
            expires_at=card.expires_at,
        )


async def mark_delivered(card_id: uuid.UUID) -> None:
    async with session_scope() as session:
        card = await lock_gift_card_for_update(session, card_id)
        if card.delivered_at is None:
            card.delivered_at = utcnow()
            session.add(card)


async def resend(card_id: uuid.UUID, *, actor: Viewer) -> None:
    """E-mail the card again now, with a new code (the old one stops working then)."""
    require_permission(actor, Permission.PROMOTIONS, "manage gift cards")
    async with session_scope() as session:
        card = await lock_gift_card_for_update(session, card_id)
        if card.recipient_email is None:
            raise InvalidInputError("This card has no e-mail address to send it to.")
        if not card.is_active:
            raise InvalidInputError("Switch the card on before sending it.")
        card.delivered_at, card.send_at = None, utcnow()
        session.add(card)
        audit.record(
            session,
            actor=actor,
            action="gift_card.resent",
            entity_type="gift_card",
            entity_id=card.id,
            after={"recipient_email": card.recipient_email},
        )
        await record_event(session, GiftCardIssued(aggregate_id=str(card.id), to_be_emailed=True))


async def expire_balances(*, now: datetime | None = None, limit: int = 100) -> int:
    """Write off what cards past their expiry date still hold (a worker cron job; each
    card is locked and re-checked, so runs may overlap). Returns how many."""
    now = now or utcnow()
    async with session_scope() as session:
        due = (
            await session.exec(
                select(GiftCard.id)
                .where(
                    col(GiftCard.expires_at) <= now,
                    col(GiftCard.balance) > 0,
                )
                .limit(limit)
            )
        ).all()
        expired = 0
        for card_id in sorted(due):
            card = await lock_gift_card_for_update(session, card_id)
            if card.expires_at is None or card.expires_at > now or card.balance <= 0:
                continue
            ledger.move(session, card, "expired", -card.balance, actor="system", note="Expired")
            expired += 1
    return expired
