"""Events of gift cards. A card due for e-mail delivery is announced once it is written;
the worker sends it when its day has come (and a cron job picks up the later ones)."""

from __future__ import annotations

from backend.events.base import DomainEvent


class GiftCardIssued(DomainEvent):
    event_type = "GiftCardIssued"

    # Whether it is to be e-mailed (to its recipient) rather than shown to staff.
    to_be_emailed: bool
