"""Tables of the webhooks domain: endpoints, their deliveries, and each delivery attempt."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("cardinality(event_types) > 0", name="subscribes_to_something"),
        CheckConstraint(
            "(previous_secret IS NULL) = (previous_secret_expires_at IS NULL)",
            name="previous_secret_has_expiry",
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    description: str = Field(
        default="", sa_column=Column(String(200), nullable=False, server_default=text("''"))
    )
    # Public event type names ("order.placed"), see `events.WEBHOOK_EVENT_TYPES`.
    event_types: list[str] = Field(sa_column=Column(ARRAY(String(40)), nullable=False))
    # Kept readable: every delivery is signed with it (HMAC needs the secret itself).
    secret: str = Field(sa_column=Column(String(100), nullable=False))
    # After a rotation, deliveries carry a signature with the old secret too until this
    # expires, so receivers can switch to the new one without rejecting anything.
    previous_secret: str | None = Field(default=None, sa_column=Column(String(100)))
    previous_secret_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: sent until it succeeds or runs out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The fan-out may run more than once for an event: one row per endpoint, ever.
        UniqueConstraint("event_id", "endpoint_id"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The sender's work queue: pending rows by when they are due.
        Index(
            "webhook_deliveries_due_idx",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("webhook_deliveries_endpoint_idx", "endpoint_id", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    event_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("outbox_events.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    endpoint_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    event_type: str = Field(sa_column=Column(String(40), nullable=False))  # public name
    status: str = Field(
        default="pending",
        sa_column=Column(String(20), nullable=False, server_default=text("'pending'")),
    )
    # Attempts in the current round (a manual retry starts a new round).
    attempts: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    last_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    response_status: int | None = Field(default=None, sa_column=Column(Integer))
    duration_ms: int | None = Field(default=None, sa_column=Column(Integer))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class WebhookAttempt(SQLModel, table=True):
    """The log: what one attempt sent back (status, the start of its body) or why it failed."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("webhook_attempts_delivery_idx", "delivery_id", "started_at"),)

    id: uuid.UUID = uuid_primary_key()
    delivery_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    response_status: int | None = Field(default=None, sa_column=Column(Integer))
    response_body: str | None = Field(default=None, sa_column=Column(Text))  # capped
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text))
