"""Errors of gift cards, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class GiftCardRefusedError(DomainError):
    """The code is unknown, or its card cannot pay now; the message says which."""

    code = "gift_card_refused"
