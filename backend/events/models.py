"""Tables of the outbox: committed events, and each handler's delivery of each event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column

DELIVERY_STATUSES = ("pending", "succeeded", "dead")


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # The relay's work queue: undispatched events, oldest first.
        Index(
            "outbox_events_undispatched_idx",
            "occurred_at",
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    event_type: str = Field(sa_column=Column(String(80), nullable=False))
    aggregate_id: str = Field(sa_column=Column(String(100), nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: datetime = created_at_column()
    dispatched_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Bumped each time the event is handed to the queue, so a redelivery gets fresh job ids.
    dispatch_count: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    # The W3C trace context (traceparent, tracestate) of the work that recorded the event,
    # continued by the relay and the worker; SQL NULL while tracing is off (JSONB would
    # otherwise store Python's None as a JSON null).
    trace_context: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSONB(none_as_null=True))
    )


class EventDelivery(SQLModel, table=True):
    """One handler's progress on one event: at most one success, however often it runs."""

    __tablename__ = "event_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'succeeded', 'dead')", name="status_valid"),
        Index("event_deliveries_dead_idx", "updated_at", postgresql_where=text("status = 'dead'")),
    )

    event_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("outbox_events.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    handler: str = Field(sa_column=Column(String(100), primary_key=True))
    status: str = Field(
        default="pending",
        sa_column=Column(String(20), nullable=False, server_default=text("'pending'")),
    )
    attempts: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
