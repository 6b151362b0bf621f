"""Tables of the back-in-stock domain: one row per "e-mail me when available" request.

Lifecycle (`status`): `pending` (a guest has not confirmed the e-mailed link yet) →
`active` → `notified` (the one e-mail is on its way) or `cancelled`. Only open rows
(pending, active) are unique per product and e-mail address. Tokens are stored as
SHA-256 hashes, like account tokens: the database never holds a usable link.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, uuid_primary_key

SUBSCRIPTION_STATUSES = ("pending", "active", "notified", "cancelled")
OPEN_STATUSES = ("pending", "active")


class StockNoticeSubscription(SQLModel, table=True):
    __tablename__ = "stock_notice_subscriptions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'active', 'notified', 'cancelled')", name="status_valid"
        ),
        # A confirmed subscription has a confirmation time; a closed one a closing time.
        CheckConstraint(
            "status = 'pending' OR confirmed_at IS NOT NULL OR status = 'cancelled'",
            name="confirmed_when_active",
        ),
        CheckConstraint(
            "status IN ('pending', 'active') OR closed_at IS NOT NULL", name="closed_when_closed"
        ),
        Index(
            "stock_notice_subscriptions_open_variant_email_idx",
            "variant_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("status IN ('pending', 'active')"),
        ),
        Index(
            "stock_notice_subscriptions_active_variant_idx",
            "variant_id",
            postgresql_where=text("status = 'active'"),
        ),
        Index("stock_notice_subscriptions_user_id_idx", "user_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    # "Tell me when size M is back": the variant waited for (a product without options
    # has one).
    variant_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("product_variants.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    email: str = Field(sa_column=Column(String(255), nullable=False))
    # The signed-in shopper who subscribed; NULL for guests.
    user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")),
    )
    status: str = Field(sa_column=Column(String(20), nullable=False))
    confirm_token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    confirm_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True))
    )
    cancel_token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    created_at: datetime = created_at_column()
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
