"""Shapes of cart recovery: who a reminder goes to, what a reminder run did, and what
opening a restore link put back in the cart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    email: str
    user_id: uuid.UUID | None
    greeting_name: str


@dataclass(frozen=True)
class ReminderRun:
    looked_at: int
    sent: int


@dataclass(frozen=True)
class RestoreResult:
    restored: tuple[str, ...]  # product names now in the cart
    unavailable: tuple[str, ...]  # no longer sold or sold out

    @property
    def message(self) -> str:
        if not self.unavailable:
            return "Welcome back! Your cart is as you left it, at today's prices."
        missing = ", ".join(self.unavailable)
        if not self.restored:
            return f"Sorry, none of these products can be bought now ({missing})."
        return (
            "Welcome back! Your cart is restored at today's prices; "
            f"no longer available: {missing}."
        )
