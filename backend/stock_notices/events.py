"""Events of the back-in-stock domain."""

from __future__ import annotations

from backend.events.base import Amount, DomainEvent


class StockNoticeConfirmationRequested(DomainEvent):
    """A guest asked to be told when a product is back: they must confirm their address.
    `aggregate_id` is the subscription's id; the link is issued when the e-mail is sent."""

    event_type = "StockNoticeConfirmationRequested"

    email: str
    product_name: str


class BackInStockNoticeDue(DomainEvent):
    """A product came back and this subscription was closed in the same transaction: its
    one e-mail is owed. `aggregate_id` is the subscription's id (the e-mail's unique key)."""

    event_type = "BackInStockNoticeDue"

    email: str
    product_name: str
    product_slug: str
    price: Amount
    currency: str
    # The variant waited for; "" in events recorded before variants.
    variant_id: str = ""
