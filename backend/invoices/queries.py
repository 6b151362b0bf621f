"""Reading documents: an order's (for its pages), and one by number (for its download)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select

from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.invoices.models import Document

DOCUMENT_NOT_FOUND = "There is no such document."


@dataclass(frozen=True)
class DocumentSummary:
    number: str
    kind: str  # "invoice" or "credit_note"
    issued_at: datetime
    total: Decimal
    currency: str

    @property
    def title(self) -> str:
        """ "Invoice INV-2026-00001", "Credit note CN-2026-00001"."""
        return ("Invoice " if self.kind == "invoice" else "Credit note ") + self.number


async def documents_of_order(order_id: uuid.UUID) -> list[DocumentSummary]:
    """The order's invoice and credit notes, in the order they were issued."""
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Document)
                .where(col(Document.order_id) == order_id)
                .order_by(col(Document.issued_at), col(Document.number))
            )
        ).all()
    return [
        DocumentSummary(row.number, row.kind, row.issued_at, row.total, row.currency)
        for row in rows
    ]


async def get_document(number: str) -> Document:
    """Raises NotFoundError."""
    async with read_scope() as session:
        found = (
            await session.exec(select(Document).where(col(Document.number) == number[:30]))
        ).first()
    if found is None:
        raise NotFoundError(DOCUMENT_NOT_FOUND)
    return found
