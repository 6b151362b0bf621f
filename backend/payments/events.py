"""Events of the payments domain."""

from __future__ import annotations

from backend.events.base import DomainEvent


class PaymentRefunded(DomainEvent):
    event_type = "PaymentRefunded"

    order_number: str
    email: str
    customer_name: str
    amount: str
    full_refund: bool
