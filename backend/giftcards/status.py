"""Whether a card can pay now, and how pages name its state."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class CardState(Protocol):
    @property
    def is_active(self) -> bool: ...

    @property
    def expires_at(self) -> datetime | None: ...

    @property
    def code_hash(self) -> str | None: ...


def is_expired(card: CardState, now: datetime) -> bool:
    return card.expires_at is not None and card.expires_at <= now


def state_label(card: CardState, now: datetime) -> str:
    """ "Active", "Disabled", "Expired" or "Not sent yet"."""
    if not card.is_active:
        return "Disabled"
    if is_expired(card, now):
        return "Expired"
    if card.code_hash is None:
        return "Not sent yet"
    return "Active"


def why_unusable(card: CardState, now: datetime) -> str | None:
    """Why the card cannot pay now (for the shopper); None when it can."""
    if not card.is_active:
        return "This gift card has been disabled. Please contact us."
    if is_expired(card, now):
        return "This gift card has expired."
    return None
