"""Reading gift cards: a holder's balance by code (rate-limited against guessing, see
`guessing.py`), what a code would pay at checkout, and staff's list and card page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.core.clock import utcnow
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page
from backend.giftcards import codes, guessing
from backend.giftcards.errors import GiftCardRefusedError
from backend.giftcards.locks import GIFT_CARD_NOT_FOUND
from backend.giftcards.models import GiftCard, GiftCardMovement
from backend.giftcards.redemption import UNKNOWN_CODE, Redemption, unusable_reason
from backend.giftcards.status import state_label

MOVEMENT_LABELS = {
    "issued": "Issued",
    "redeemed": "Paid for an order",
    "returned": "Returned (order cancelled)",
    "refunded": "Refunded from an order",
    "adjusted": "Adjusted by the shop",
    "expired": "Expired",
}


@dataclass(frozen=True)
class Movement:
    at: datetime
    kind: str
    amount: Decimal
    balance_after: Decimal
    order_id: uuid.UUID | None
    actor: str
    note: str

    @property
    def label(self) -> str:
        return MOVEMENT_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class HolderBalance:
    """What the holder of a code sees: never who bought it or for whom."""

    last_four: str
    balance: Decimal
    currency: str
    state: str  # Active, Disabled, Expired
    expires_at: datetime | None
    movements: tuple[Movement, ...]


@dataclass(frozen=True)
class CardSummary:
    id: uuid.UUID
    last_four: str | None
    initial_amount: Decimal
    balance: Decimal
    currency: str
    state: str
    source: str
    recipient_email: str | None
    recipient_name: str
    send_at: datetime | None
    delivered_at: datetime | None
    expires_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class CardDetail(CardSummary):
    sender_name: str
    message: str
    note: str
    is_active: bool
    order_line_id: uuid.UUID | None
    movements: tuple[Movement, ...]


def _movement(row: GiftCardMovement) -> Movement:
    return Movement(
        row.created_at,
        row.kind,
        row.amount,
        row.balance_after,
        row.order_id,
        row.actor,
        row.note,
    )


def _summary(card: GiftCard, now: datetime) -> CardSummary:
    return CardSummary(
        id=card.id,
        last_four=card.last_four,
        initial_amount=card.initial_amount,
        balance=card.balance,
        currency=card.currency,
        state=state_label(card, now),
        source=card.source,
        recipient_email=card.recipient_email,
        recipient_name=card.recipient_name,
        send_at=card.send_at,
        delivered_at=card.delivered_at,
        expires_at=card.expires_at,
        created_at=card.created_at,
    )


async def _card_by_code(code: str, asker: str) -> GiftCard:
    """The card with this code; counts an unknown code as a guess by `asker`. Raises
    TooManyAttemptsError while `asker` is blocked, GiftCardRefusedError for no card."""
    await guessing.refuse_if_guessing(asker)
    card = None
    if codes.looks_like_a_code(code):
        async with read_scope() as session:
            card = (
                await session.exec(
                    select(GiftCard).where(GiftCard.code_hash == codes.code_hash(code))
                )
            ).first()
    if card is None:
        await guessing.count_unknown_code(asker)
        raise GiftCardRefusedError(UNKNOWN_CODE)
    return card


async def holder_balance(code: str, *, asker: str) -> HolderBalance:
    """The balance page: what the card holds and its history (newest first)."""
    card = await _card_by_code(code, asker)
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(GiftCardMovement)
                .where(GiftCardMovement.gift_card_id == card.id)
                .order_by(col(GiftCardMovement.created_at).desc())
                .limit(50)
            )
        ).all()
    return HolderBalance(
        last_four=card.last_four or "",
        balance=card.balance,
        currency=card.currency,
        state=state_label(card, utcnow()),
        expires_at=card.expires_at,
        movements=tuple(_movement(row) for row in rows),
    )


async def preview_redemption(
    code: str, *, amount_due: Decimal, currency: str, asker: str
) -> Redemption:
    """What the card would pay towards `amount_due` now (checkout's review); the order
    redeems it for real (`redemption.redeem`). Raises GiftCardRefusedError saying why not."""
    card = await _card_by_code(code, asker)
    reason = unusable_reason(card, currency, utcnow())
    if reason is not None:
        raise GiftCardRefusedError(reason)
    taken = min(card.balance, amount_due)
    return Redemption(card.id, card.last_four or "", taken, card.balance - taken)


async def list_cards(
    actor: Viewer, *, search: str = "", page: int = 1, limit: int = 25
) -> Page[CardSummary]:
    """Staff's list, newest first; `search` finds a whole code, its last four
    characters, or the recipient's e-mail address or name."""
    require_permission(actor, Permission.PROMOTIONS, "manage gift cards")
    page, limit = clamp_page(page, limit)
    query = select(GiftCard)
    text = search.strip()[:120]
    if text:
        conditions: list[ColumnElement[bool]] = [
            col(GiftCard.recipient_email).ilike(contains_pattern(text)),
            col(GiftCard.recipient_name).ilike(contains_pattern(text)),
        ]
        if len(codes.normalize(text)) == codes.GROUP:
            conditions.append(col(GiftCard.last_four) == codes.normalize(text))
        if codes.looks_like_a_code(text):
            conditions.append(col(GiftCard.code_hash) == codes.code_hash(text))
        query = query.where(or_(*conditions))
    now = utcnow()
    async with read_scope() as session:
        total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
        cards = (
            await session.exec(
                query.order_by(col(GiftCard.created_at).desc(), col(GiftCard.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
    return Page([_summary(card, now) for card in cards], total, page, limit)


async def get_card(card_id: uuid.UUID, actor: Viewer) -> CardDetail:
    require_permission(actor, Permission.PROMOTIONS, "manage gift cards")
    async with read_scope() as session:
        card = await session.get(GiftCard, card_id)
        if card is None:
            raise NotFoundError(GIFT_CARD_NOT_FOUND)
        rows = (
            await session.exec(
                select(GiftCardMovement)
                .where(GiftCardMovement.gift_card_id == card.id)
                .order_by(col(GiftCardMovement.created_at).desc(), col(GiftCardMovement.id))
            )
        ).all()
    summary = _summary(card, utcnow())
    return CardDetail(
        **vars(summary),
        sender_name=card.sender_name,
        message=card.message,
        note=card.note,
        is_active=card.is_active,
        order_line_id=card.order_line_id,
        movements=tuple(_movement(row) for row in rows),
    )


async def ledger_total(card_id: uuid.UUID) -> Decimal:
    """The sum of a card's ledger (it equals the balance; tests and audits check it)."""
    async with read_scope() as session:
        total = (
            await session.exec(
                select(func.sum(GiftCardMovement.amount)).where(
                    GiftCardMovement.gift_card_id == card_id
                )
            )
        ).one()
    return Decimal(total or 0)
