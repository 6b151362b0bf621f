"""Every message the shop sends (or stores, when no provider is configured)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

NOTIFICATION_STATUSES = ("pending", "sent", "stored", "failed")
CHANNELS = ("email", "sms")


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'stored', 'failed')", name="status_valid"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel_valid"),
        Index("notifications_created_at_idx", "created_at"),
        Index("notifications_event_id_idx", "event_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    # (event, channel, recipient) for event-driven sends: a retried job finds its row.
    idempotency_key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    event_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True)))
    channel: str = Field(sa_column=Column(String(10), nullable=False))
    recipient: str = Field(sa_column=Column(String(255), nullable=False))
    template: str = Field(sa_column=Column(String(60), nullable=False))
    subject: str = Field(
        default="", sa_column=Column(String(300), nullable=False, server_default="")
    )
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(
        default="pending",
        sa_column=Column(String(20), nullable=False, server_default=text("'pending'")),
    )
    attempts: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    provider_message_id: str | None = Field(default=None, sa_column=Column(String(300)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
