"""Shapes of the events domain: the relay's jobs for the queue, a handler's delivery
attempt, and the dead letters staff read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from backend.events.base import DomainEvent


@dataclass(frozen=True)
class HandlerJob:
    """One handler to run for one event. `job_id` lets the queue refuse a duplicate."""

    event_id: uuid.UUID
    event_type: str
    handler: str
    job_id: str
    # The trace context stored with the event: the relay's span continues that trace.
    trace_context: dict[str, str] | None = None


@dataclass(frozen=True)
class DeadLetter:
    event_id: uuid.UUID
    event_type: str
    aggregate_id: str
    handler: str
    attempts: int
    last_error: str
    occurred_at: datetime
    failed_at: datetime


@dataclass(frozen=True)
class DeliveryAttempt:
    event: DomainEvent
    attempt: int
