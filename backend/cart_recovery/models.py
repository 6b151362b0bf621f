"""Sent cart reminders and the addresses that asked for no more of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column

CLOSE_REASONS = ("ordered", "emptied")


class CartReminder(SQLModel, table=True):
    """One reminder e-mail sent for one abandoned cart.

    A cart has at most one open reminder (the partial unique index): however often the job
    runs, and however the cart changes afterwards, it is reminded once. Placing an order
    from the cart, or the cart being found empty, closes the reminder; only a cart filled
    again after that can be reminded again.
    """

    __tablename__ = "cart_reminders"
    __table_args__ = (
        CheckConstraint("close_reason IN ('ordered', 'emptied')", name="close_reason_known"),
        CheckConstraint("(closed_at IS NULL) = (close_reason IS NULL)", name="closed_with_reason"),
        CheckConstraint(
            "(restored_at IS NULL) = (restored_cart_key IS NULL)", name="restored_with_cart"
        ),
        Index(
            "cart_reminders_open_cart_key_idx",
            "cart_key",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("cart_reminders_sent_at_idx", "sent_at"),
        # "Was this address reminded lately?" (one reminder per address per day).
        Index("cart_reminders_email_sent_at_idx", text("lower(email)"), "sent_at"),
        Index(
            "cart_reminders_restored_cart_key_idx",
            "restored_cart_key",
            postgresql_where=text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
        ),
        Index(
            "cart_reminders_restored_user_id_idx",
            "user_id",
            postgresql_where=text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
        ),
    )

    # Derived from (cart, last change) by the sender, so a send retried after a crash
    # finds the same id, the same message key and the same link.
    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    cart_key: str = Field(sa_column=Column(String(100), nullable=False))
    user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    email: str = Field(sa_column=Column(String(255), nullable=False))
    # What the e-mail listed and the link puts back: [{"variant_id", "quantity", "name"}]
    # (reminders sent before variants say "product_id": that product's one variant's id)..
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    # When the cart last changed before the reminder (the start of "abandoned").
    cart_changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # The first use of the restore link, and the cart it filled (attribution).
    restored_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    restored_cart_key: str | None = Field(default=None, sa_column=Column(String(100)))
    # The order this reminder recovered (see backend/cart_recovery/attribution.py).
    recovered_order_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("orders.id", ondelete="SET NULL"),
            unique=True,
        ),
    )
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    close_reason: str | None = Field(default=None, sa_column=Column(String(20)))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class CartReminderOptOut(SQLModel, table=True):
    """An address that gets no cart reminders (unsubscribe link or account setting)."""

    __tablename__ = "cart_reminder_opt_outs"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    email: str = Field(sa_column=Column(String(255), primary_key=True))
    created_at: datetime = created_at_column()
