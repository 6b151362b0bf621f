"""Events of the catalog domain."""

from __future__ import annotations

from typing import Literal

from backend.events.base import DomainEvent


class ProductChanged(DomainEvent):
    """A product was created, edited, (de)activated or deleted: caches and search follow."""

    event_type = "ProductChanged"

    change: Literal["created", "updated", "deleted"]
    sku: str


class ProductsChanged(DomainEvent):
    """Many products changed at once (an import, a bulk edit, a renamed category or
    brand): one event per batch, so the worker re-indexes them in one go instead of
    one search commit per product. `aggregate_id` is "catalog"."""

    event_type = "ProductsChanged"

    product_ids: list[str]
    reason: str  # "import", "bulk_update", "category_renamed", …
