"""What the import and export hand around: rows for the UI, and a checked row waiting
for the merchant's confirmation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from backend.core.serialization import json_ready

# --- shapes handed to the UI --------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    sku: str
    reason: str  # "Row 17: price — The price cannot be negative."


@dataclass(frozen=True)
class PlannedRow:
    row: int
    sku: str
    name: str
    action: Literal["create", "update"]
    changes: tuple[str, ...]  # updates: "price: 19.99 → 17.99", "description"


@dataclass(frozen=True)
class ImportPreview:
    """What confirming would do. Every data row counts once in exactly one of create,
    update, unchanged (the row matches its product) and rejected."""

    token: str | None  # for `apply_import`; None when there is nothing to apply
    file_rows: int
    create_count: int
    update_count: int
    unchanged_count: int
    rejected_count: int
    rejected: tuple[RejectedRow, ...]  # the first MAX_REJECTED_LISTED
    sample: tuple[PlannedRow, ...]  # the first SAMPLE_ROWS rows to create or update
    expires_in_seconds: int


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int  # matched the catalog in the preview or when applied: nothing written
    failed: tuple[RejectedRow, ...]  # checked in the preview, refused when applied
    rejected: int  # refused in the preview
    file_rows: int  # = created + updated + unchanged + len(failed) + rejected


ProgressCallback = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True)
class _PendingRow:
    """A checked row waiting in Redis for the merchant's confirmation."""

    row: int
    sku: str
    category: str  # the slug, to explain a failure
    # A new product: the fields the file gives. An existing one: only the changed fields.
    values: dict[str, Any]
    seen_stock: int | None  # an existing product's stock when previewed

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "sku": self.sku,
            "category": self.category,
            "values": json_ready(self.values),
            "seen_stock": self.seen_stock,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _PendingRow:
        values = dict(data["values"])
        if "price" in values:
            values["price"] = Decimal(values["price"])
        if "category_id" in values:
            values["category_id"] = uuid.UUID(values["category_id"])
        return cls(data["row"], data["sku"], data["category"], values, data["seen_stock"])
