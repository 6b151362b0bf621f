"""Tables of the invoices domain: the documents (invoices and credit notes, each a snapshot
written once) and the counters that number them without gaps."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

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
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, uuid_primary_key


class DocumentCounter(SQLModel, table=True):
    """The last number given in a series ("invoice", "credit_note") and year: taken and
    raised under its row lock in the transaction that writes the document, so a document
    that is not written gives its number back (no gaps) and two never share one."""

    __tablename__ = "document_counters"
    __table_args__ = (
        CheckConstraint("series IN ('invoice', 'credit_note')", name="series_known"),
        CheckConstraint("last_number > 0", name="last_number_positive"),
    )

    series: str = Field(sa_column=Column(String(12), primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    last_number: int = Field(sa_column=Column(Integer, nullable=False))


class Document(SQLModel, table=True):
    """An invoice (one main one per order, issued when it is paid, and a supplementary
    one per difference an edit added and the customer paid) or a credit note (one per
    refund), as it was issued: the seller's and buyer's details, the lines, the tax per
    rate and the totals are copied in, so later edits to the shop, the order or the
    catalog never change it."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind_known"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0",
            name="amounts_not_negative",
        ),
        # A credit note (and a supplementary invoice) names what it is for and the
        # invoice it corrects; the order's main invoice names neither.
        CheckConstraint("(corrects IS NULL) = (reference IS NULL)", name="corrects_refers"),
        CheckConstraint("kind = 'invoice' OR corrects IS NOT NULL", name="credit_note_corrects"),
        UniqueConstraint("kind", "year", "sequence", name="documents_numbered_once"),
        UniqueConstraint("number", name="documents_number_key"),
        UniqueConstraint("reference", name="documents_reference_key"),
        Index(
            "documents_one_invoice_per_order",
            "order_id",
            unique=True,
            postgresql_where=text("kind = 'invoice' AND corrects IS NULL"),
        ),
        Index("documents_order_id_idx", "order_id", "issued_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    kind: str = Field(sa_column=Column(String(12), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    sequence: int = Field(sa_column=Column(Integer, nullable=False))
    number: str = Field(sa_column=Column(String(30), nullable=False))  # "INV-2026-00001"
    order_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("orders.id"), nullable=False)
    )
    order_number: str = Field(sa_column=Column(String(20), nullable=False))
    # Credit notes: the refund (its event) they are for, and the invoice they correct.
    reference: str | None = Field(default=None, sa_column=Column(String(80)))
    corrects: str | None = Field(default=None, sa_column=Column(String(30)))
    issued_at: datetime = created_at_column()
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    seller: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    buyer: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # [{"description", "quantity", "unit_price", "total"}], amounts as strings.
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    # [{"name", "percent", "base", "amount"}]: the tax per rate ("VAT", "19").
    tax_lines: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    subtotal: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    discount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    shipping: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    prices_include_tax: bool = Field(sa_column=Column(Boolean, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
