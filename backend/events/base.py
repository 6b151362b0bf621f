"""The shape every domain event shares, and the registry that turns stored rows back into events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend.core.clock import utcnow

EVENT_TYPES: dict[str, type[DomainEvent]] = {}


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
    return cls(event_id=event_id, occurred_at=occurred_at, aggregate_id=aggregate_id, **payload)
