"""Events of the payments domain."""

from __future__ import annotations

from backend.events.base import Amount, DomainEvent


class PaymentRefunded(DomainEvent):
    event_type = "PaymentRefunded"

    order_number: str
    email: str
    customer_name: str
    amount: Amount
    currency: str
    full_refund: bool
    reason: str = ""  # e.g. "Return RT-7Q4M-2XH9"; empty for a plain refund


class PaidAfterCancellation(DomainEvent):
    """A payment succeeded for an order that was cancelled meanwhile (it expired while the
    shopper was still confirming with their bank): the money goes back automatically."""

    event_type = "PaidAfterCancellation"

    order_number: str
    transaction_id: str
