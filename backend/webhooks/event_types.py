"""The events integrators may subscribe to: public names, stable forever, and the domain
event behind each.

`product.changed` is one product (created, updated or deleted); `products.changed` is a
batch (an import, a bulk edit, a renamed category or brand) sent as ONE delivery whose
`data.product_ids` lists every product. Follow both to see every catalog change.
"""

from __future__ import annotations

# Public name → the domain event's stored `event_type`.
WEBHOOK_EVENT_TYPES: dict[str, str] = {
    "order.placed": "OrderPlaced",
    "order.paid": "OrderPaid",
    "order.edited": "OrderEdited",
    "order.cancelled": "OrderCancelled",
    "order.fulfilled": "OrderFulfilled",
    "payment.refunded": "PaymentRefunded",
    "product.changed": "ProductChanged",
    "products.changed": "ProductsChanged",
    "stock.low": "LowStock",
    "inventory.updated": "InventoryUpdated",
}

PUBLIC_NAME_BY_EVENT_TYPE: dict[str, str] = {
    event_type: public for public, event_type in WEBHOOK_EVENT_TYPES.items()
}

DESCRIPTIONS: dict[str, str] = {
    "order.placed": "An order was placed (not paid yet).",
    "order.paid": "An order's payment succeeded.",
    "order.edited": "Staff changed an order's lines or shipping before it shipped.",
    "order.cancelled": "An order was cancelled (by staff, or unpaid too long).",
    "order.fulfilled": "An order was shipped.",
    "payment.refunded": "A payment was refunded, fully or in part.",
    "product.changed": "One product was created, updated or deleted.",
    "products.changed": "Many products changed at once; data.product_ids lists them.",
    "stock.low": "A product's stock fell to or below its low-stock threshold.",
    "inventory.updated": "A product's stock changed.",
}


def public_name_of(event_type: str) -> str | None:
    """The name integrators subscribe to, or None for events that are not offered."""
    return PUBLIC_NAME_BY_EVENT_TYPE.get(event_type)
