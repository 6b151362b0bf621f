"""Staff's gift card use cases: issue a card, switch it off or on, adjust its balance.
Each is checked (admins only), written to the ledger and to the audit log together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.giftcards import codes, ledger
from backend.giftcards.events import GiftCardIssued
from backend.giftcards.inputs import AdjustInput, IssueInput
from backend.giftcards.locks import lock_gift_card_for_update
from backend.giftcards.models import GiftCard
from backend.settings import get_settings


@dataclass(frozen=True)
class IssuedCard:
    id: uuid.UUID
    # The code, for the one time it is shown (a card without an e-mail address); None
    # when it goes by e-mail: it is made when the e-mail is sent, and seen by no one else.
    code: str | None


async def issue_card(details: IssueInput, *, actor: Viewer) -> IssuedCard:
    require_permission(actor, Permission.PROMOTIONS, "issue gift cards")
    code = None if details.recipient_email else codes.new_code()
    async with session_scope() as session:
        card = GiftCard(
            id=uuid.uuid4(),
            code_hash=codes.code_hash(code) if code else None,
            last_four=codes.last_four(code) if code else None,
            currency=get_settings().shop_currency,
            initial_amount=details.amount,
            balance=Decimal("0.00"),
            expires_at=details.expires_at,
            source="staff",
            recipient_email=details.recipient_email,
            recipient_name=details.recipient_name,
            sender_name=details.sender_name,
            message=details.message,
            send_at=details.send_at,
            delivered_at=utcnow() if code else None,
            note=details.note,
            created_by=actor.user_id,
        )
        session.add(card)
        await session.flush()
        ledger.move(session, card, "issued", details.amount, actor=actor_label(actor))
        audit.record(
            session,
            actor=actor,
            action="gift_card.issued",
            entity_type="gift_card",
            entity_id=card.id,
            after={
                "amount": details.amount,
                "recipient_email": details.recipient_email,
                "send_at": details.send_at,
                "expires_at": details.expires_at,
                "note": details.note,
            },
        )
        await record_event(
            session,
            GiftCardIssued(aggregate_id=str(card.id), to_be_emailed=code is None),
        )
    return IssuedCard(card.id, code)


async def set_active(card_id: uuid.UUID, *, active: bool, actor: Viewer) -> None:
    """Switch a card off (it cannot pay; balance and ledger stay) or on again."""
    require_permission(actor, Permission.PROMOTIONS, "manage gift cards")
    async with session_scope() as session:
        card = await lock_gift_card_for_update(session, card_id)
        before = card.is_active
        card.is_active = active
        session.add(card)
        audit.record(
            session,
            actor=actor,
            action="gift_card.enabled" if active else "gift_card.disabled",
            entity_type="gift_card",
            entity_id=card.id,
            before={"active": before},
            after={"active": active},
        )


async def adjust_balance(card_id: uuid.UUID, change: AdjustInput, *, actor: Viewer) -> Decimal:
    """Add (or take off) an amount, with staff's reason; the new balance. Never below zero."""
    require_permission(actor, Permission.PROMOTIONS, "adjust gift cards")
    async with session_scope() as session:
        card = await lock_gift_card_for_update(session, card_id)
        before = card.balance
        if before + change.amount < 0:
            raise InvalidInputError(
                "Please correct the adjustment.",
                {"amount": f"The card holds {before}; take off at most that."},
            )
        ledger.move(
            session, card, "adjusted", change.amount, actor=actor_label(actor), note=change.note
        )
        audit.record(
            session,
            actor=actor,
            action="gift_card.adjusted",
            entity_type="gift_card",
            entity_id=card.id,
            before={"balance": before},
            after={"balance": card.balance, "amount": change.amount, "note": change.note},
        )
        return card.balance
