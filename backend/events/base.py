"""The shape every domain event shares, and the registry that turns stored rows back into events."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from backend.core.clock import utcnow
from backend.settings import get_settings

EVENT_TYPES: dict[str, type[DomainEvent]] = {}

_NOT_IN_A_PLAIN_DECIMAL = re.compile(r"[^0-9.\-]")


def _amount_of_display_text(value: object) -> object:
    # Rows written before events carried Decimals held display text ("$1,234.50").
    if isinstance(value, str) and _NOT_IN_A_PLAIN_DECIMAL.search(value):
        return _NOT_IN_A_PLAIN_DECIMAL.sub("", value)
    return value


# An amount of money in an event: a Decimal ("12.50" in the stored JSON), in the event's
# `currency`; formatted for people only where it is shown (templates, pages).
Amount = Annotated[Decimal, BeforeValidator(_amount_of_display_text)]


class DomainEvent(BaseModel):
    """Something that happened: past tense, immutable, with its own id and time.

    Subclasses set `event_type` (the stored name, stable forever) and add their payload.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str] = ""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=utcnow)
    aggregate_id: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.event_type:
            if cls.event_type in EVENT_TYPES:
                msg = f"two events are named {cls.event_type!r}"
                raise TypeError(msg)
            EVENT_TYPES[cls.event_type] = cls

    def payload(self) -> dict[str, Any]:
        """The event's own fields, JSON-ready (id, type and time are stored in columns)."""
        return self.model_dump(mode="json", exclude={"event_id", "occurred_at", "aggregate_id"})


def event_from_row(
    *,
    event_type: str,
    event_id: uuid.UUID,
    occurred_at: datetime,
    aggregate_id: str,
    payload: dict[str, Any],
) -> DomainEvent:
    try:
        cls = EVENT_TYPES[event_type]
    except KeyError as exc:
        msg = f"unknown event type {event_type!r}"
        raise LookupError(msg) from exc
    if "currency" in cls.model_fields and "currency" not in payload:
        # Written before events with amounts carried their currency: the shop sells in one.
        payload = {**payload, "currency": get_settings().shop_currency}
    return cls(event_id=event_id, occurred_at=occurred_at, aggregate_id=aggregate_id, **payload)
