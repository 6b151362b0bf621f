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


class PaymentLinkRequested(DomainEvent):
    """Staff asked for the customer to be e-mailed a link to pay the order (the worker
    makes the link when it sends the message, so no token is ever stored in the clear)."""

    event_type = "PaymentLinkRequested"

    order_number: str
    email: str
    customer_name: str
    amount: Amount
    currency: str
    expires_at: str  # ISO 8601: the order is cancelled if unpaid by then
