"""Tables of the drafts domain: draft orders and their lines.

A draft holds what staff have put together so far; nothing is reserved and no price is
kept (a draft is priced afresh each time it is shown, and once more when it becomes an
order). It converts once: completing it writes the order and links it here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

DRAFT_STATUSES = ("open", "completed", "expired")


class DraftOrder(SQLModel, table=True):
    __tablename__ = "draft_orders"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'completed', 'expired')", name="status_known"),
        CheckConstraint(
            "(status = 'completed') = (order_id IS NOT NULL)", name="order_when_completed"
        ),
        CheckConstraint("manual_discount >= 0", name="discount_not_negative"),
        CheckConstraint(
            "manual_discount = 0 OR length(btrim(discount_reason)) > 0", name="discount_has_reason"
        ),
        CheckConstraint(
            "shipping_price IS NULL OR shipping_price >= 0", name="shipping_price_not_negative"
        ),
        Index("draft_orders_open_idx", "updated_at", postgresql_where=text("status = 'open'")),
    )

    id: uuid.UUID = uuid_primary_key()
    # What staff quote: "D1042".
    number: int | None = Field(
        default=None, sa_column=Column(Integer, Identity(start=1001), nullable=False, unique=True)
    )
    status: str = Field(
        default="open", sa_column=Column(String(12), nullable=False, server_default="open")
    )
    # The customer's account, when the e-mail address has one.
    user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    email: str = Field(default="", sa_column=Column(String(255), nullable=False, server_default=""))
    # The customer's name, address, phone and shipping method as validated
    # (`orders.inputs.CheckoutDetails`); None until staff have entered them.
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    manual_discount: Decimal = Field(
        default=Decimal("0.00"),
        sa_column=Column(Numeric(12, 2), nullable=False, server_default=text("0")),
    )
    discount_reason: str = Field(
        default="", sa_column=Column(String(80), nullable=False, server_default="")
    )
    # Instead of the shipping method's rate; None: the rate.
    shipping_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    order_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="RESTRICT"), unique=True
        ),
    )
    # An open draft nobody touched until then expires (it holds no stock, only clutter).
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

    @property
    def label(self) -> str:
        return f"D{self.number}"


class DraftOrderLine(SQLModel, table=True):
    """A variant (priced from the catalog when shown) or a custom line at staff's price."""

    __tablename__ = "draft_order_lines"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_in_range"),
        CheckConstraint(
            "(variant_id IS NOT NULL AND custom_name IS NULL AND custom_price IS NULL)"
            " OR (variant_id IS NULL AND length(btrim(custom_name)) > 0"
            " AND custom_price >= 0)",
            name="variant_or_custom",
        ),
        UniqueConstraint("draft_id", "variant_id", name="draft_order_lines_one_per_variant"),
        Index("draft_order_lines_draft_id_idx", "draft_id", "position"),
    )

    id: uuid.UUID = uuid_primary_key()
    draft_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("draft_orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    # A deleted variant takes its draft lines with it (a draft holds no stock or price).
    variant_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("product_variants.id", ondelete="CASCADE")),
    )
    custom_name: str | None = Field(default=None, sa_column=Column(String(120)))
    custom_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
