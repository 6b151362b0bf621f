"""E-mailing gift cards on their day: at once when a card is issued for now, and by the
cron job (`deliver_due`) for cards whose day comes later or whose sending failed."""

from __future__ import annotations

import uuid

from backend.giftcards import delivery
from backend.giftcards.events import GiftCardIssued
from backend.notifications import services as notifications
from backend.notifications.schemas import OneTimeLink
from jobs.event_handlers.shop_links import shop_url


async def send_gift_card(event: GiftCardIssued) -> None:
    if event.to_be_emailed:
        await deliver(uuid.UUID(event.aggregate_id))


async def deliver(card_id: uuid.UUID) -> bool:
    """Send the card if it is due (safe to repeat: the message's key sends it once, and
    a delivered card is not due); whether it was due."""
    due = await delivery.due_delivery(card_id)
    if due is None:
        return False

    async def context() -> dict[str, object]:
        # The code is made here, as the message is written (see backend/giftcards/delivery.py).
        letter = await delivery.issue_code(card_id)
        return {
            "recipient_name": letter.recipient_name,
            "sender_name": letter.sender_name,
            "message": letter.message,
            "amount": letter.balance,
            "currency": letter.currency,
            "code": OneTimeLink(letter.code, letter.code),
            "expires_on": letter.expires_at.strftime("%d %B %Y") if letter.expires_at else "",
            "balance_url": shop_url("/gift-cards/balance"),
        }

    await notifications.send_email(
        template="gift_card",
        to=due.recipient_email,
        context=context,
        idempotency_key=due.message_key,
    )
    await delivery.mark_delivered(card_id)
    return True


async def deliver_due() -> int:
    """Every card whose day has come and that is not sent yet; how many went out."""
    sent = 0
    for due in await delivery.deliveries_due():
        sent += await deliver(due.card_id)
    return sent
