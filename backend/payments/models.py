"""Tables of the payments domain: every call to a gateway, and the webhook events seen.

Each outgoing operation (charge, confirm, refund) is written first with its idempotency
key, then sent with that key; a retry reuses the row and the key, so the gateway never
charges or refunds twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key


class PaymentTransaction(SQLModel, table=True):
    __tablename__ = "payment_transactions"
    __table_args__ = (
        CheckConstraint("kind IN ('payment', 'refund')", name="kind_known"),
        CheckConstraint(
            "status IN ('pending', 'requires_action', 'processing', 'succeeded', 'failed')",
            name="status_known",
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("payment_transactions_order_id_idx", "order_id", "created_at"),
        Index("payment_transactions_reference_idx", "gateway", "reference"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False
        )
    )
    gateway: str = Field(sa_column=Column(String(20), nullable=False))  # "test", "stripe"
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    # Sent with every call for this operation; unique, so one operation is one row.
    idempotency_key: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    # The gateway's id of the payment (PaymentIntent) or refund, once known.
    reference: str | None = Field(default=None, sa_column=Column(String(100)))
    # For the payment the refund belongs to.
    parent_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("payment_transactions.id")),
    )
    failure_code: str | None = Field(default=None, sa_column=Column(String(60)))
    failure_message: str | None = Field(default=None, sa_column=Column(Text))
    # Shown to the shopper for an extra step (3-D Secure) or a hosted payment form.
    client_secret: str | None = Field(default=None, sa_column=Column(String(200)))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class WebhookEvent(SQLModel, table=True):
    """A gateway notification, kept once per event id (a redelivery is recognised)."""

    __tablename__ = "payment_webhook_events"

    id: str = Field(sa_column=Column(String(100), primary_key=True))
    gateway: str = Field(sa_column=Column(String(20), nullable=False))
    event_type: str = Field(sa_column=Column(String(60), nullable=False))
    # When the gateway says the event happened: older news never overrides newer.
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    received_at: datetime = created_at_column()
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=text("''")))


class PaymentLink(SQLModel, table=True):
    """A link e-mailed to a customer to pay an order staff took for them: whoever has it may
    open and pay that order (only the token's hash is kept). It works until it expires or
    the order is no longer waiting for payment; sending a new one leaves older ones valid."""

    __tablename__ = "payment_links"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("payment_links_order_id_idx", "order_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = created_at_column()
