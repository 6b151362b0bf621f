"""Tables of the returns domain: a shopper's return request and the order lines it
covers, each refunded or exchanged for another variant.

The quantities of one order line across all returns that were not rejected never exceed
what was delivered: the service checks it under the order's row lock (every return
change locks the order first), and the database refuses a zero or negative quantity.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key
from backend.returns.status import RETURN_STATUSES

RETURN_REASONS: dict[str, str] = {
    "damaged": "Arrived damaged or faulty",
    "wrong_item": "Wrong item sent",
    "not_as_described": "Not as described",
    "does_not_fit": "Does not fit",
    "no_longer_needed": "No longer needed",
    "other": "Other",
}
MAX_COMMENT_LENGTH = 1000
MAX_DECISION_NOTE_LENGTH = 500


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReturnRequest(SQLModel, table=True):
    __tablename__ = "return_requests"
    __table_args__ = (
        CheckConstraint(_one_of("status", RETURN_STATUSES), name="status_known"),
        CheckConstraint(_one_of("reason", tuple(RETURN_REASONS)), name="reason_known"),
        CheckConstraint(f"char_length(comment) <= {MAX_COMMENT_LENGTH}", name="comment_length"),
        CheckConstraint(
            f"char_length(decision_note) <= {MAX_DECISION_NOTE_LENGTH}",
            name="decision_note_length",
        ),
        # A rejection always says why (the shopper is told).
        CheckConstraint("status <> 'rejected' OR decision_note <> ''", name="rejection_explained"),
        CheckConstraint("refund_amount IS NULL OR refund_amount > 0", name="refund_positive"),
        CheckConstraint(
            "(status = 'refunded') = (refund_amount IS NOT NULL)", name="refund_when_refunded"
        ),
        Index("return_requests_order_id_idx", "order_id"),
        Index("return_requests_status_idx", "status", "created_at"),
        # One return's exchange is sent by one order, and an order sends one exchange.
        Index(
            "return_requests_exchange_order_id_idx",
            "exchange_order_id",
            unique=True,
            postgresql_where=text("exchange_order_id IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    # What shoppers and staff quote: "RT-7Q4M-2XH9".
    number: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False
        )
    )
    requested_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    # One submission of the return form: the same key again finds the same request.
    request_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    status: str = Field(
        default="requested",
        sa_column=Column(String(20), nullable=False, server_default=text("'requested'")),
    )
    reason: str = Field(sa_column=Column(String(30), nullable=False))
    comment: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    # Staff's word on a rejection (required then) or an approval (optional).
    decision_note: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    restocked: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    refund_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    # The order that sends the variants asked for in exchange, placed on approval.
    exchange_order_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("orders.id", ondelete="SET NULL")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class ReturnLine(SQLModel, table=True):
    """How many of one order line a return covers."""

    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("return_id", "order_line_id"),
        Index("return_lines_order_line_id_idx", "order_line_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    return_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("return_requests.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    order_line_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("order_lines.id", ondelete="RESTRICT"), nullable=False
        )
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    # The variant wanted instead of money (a size swap); its stock is held from the
    # request until staff decide. None: the line is refunded.
    exchange_variant_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("product_variants.id", ondelete="SET NULL")
        ),
    )
