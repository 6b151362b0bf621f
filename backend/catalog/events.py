"""Events of the catalog domain."""

from __future__ import annotations

from typing import Literal

from backend.events.base import DomainEvent


class ProductChanged(DomainEvent):
    """A product was created, edited, (de)activated or deleted: caches and search follow."""

    event_type = "ProductChanged"

    change: Literal["created", "updated", "deleted"]
    sku: str
