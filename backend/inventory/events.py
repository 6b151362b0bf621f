"""Events of the inventory domain."""

from __future__ import annotations

from backend.events.base import DomainEvent


class InventoryUpdated(DomainEvent):
    event_type = "InventoryUpdated"

    # The aggregate is the product; this names which of its variants changed (the
    # product's own id for a product without options). "" in events recorded before.
    variant_id: str = ""
    sku: str
    quantity: int
    change: int
    reason: str
    # Whether shoppers can see it (`stock_change_shown`): pages' caches are forgotten then;
    # answers giving exact quantities always. True in events recorded before.
    shown: bool = True


class LowStock(DomainEvent):
    """Stock fell to or below the product's threshold: staff are told."""

    event_type = "LowStock"

    variant_id: str = ""
    sku: str
    product_name: str
    quantity: int
    threshold: int
