"""Tables of the pricing domain: discount codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    text,
)
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key


class DiscountCode(SQLModel, table=True):
    __tablename__ = "discount_codes"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed')", name="kind_known"),
        CheckConstraint("value > 0 AND (kind = 'fixed' OR value <= 100)", name="value_in_range"),
        CheckConstraint("min_subtotal >= 0", name="min_subtotal_not_negative"),
        CheckConstraint(
            "usage_limit IS NULL OR times_used <= usage_limit", name="usage_within_limit"
        ),
        CheckConstraint("times_used >= 0", name="times_used_not_negative"),
        # Codes are typed by shoppers in any case: unique regardless of case.
        Index("discount_codes_code_idx", text("upper(code)"), unique=True),
    )

    id: uuid.UUID = uuid_primary_key()
    code: str = Field(sa_column=Column(String(40), nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    # A percentage (10 = 10 %) or an amount in the shop's currency.
    value: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    min_subtotal: Decimal = Field(
        default=Decimal(0),
        sa_column=Column(Numeric(12, 2), nullable=False, server_default=text("0")),
    )
    starts_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    usage_limit: int | None = Field(default=None, sa_column=Column(Integer))
    times_used: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
