"""Events of the orders domain. Each carries what its customer e-mail needs; amounts are
Decimals in the event's currency, formatted by the e-mail templates."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from backend.events.base import Amount, DomainEvent
from backend.orders.models import Order


class OrderLineSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    sku: str
    quantity: int
    line_total: Amount
    # The variant's option values as shoppers read them ("M / Navy"); "" without options.
    options: str = ""


class TaxRowSummary(BaseModel):
    """One tax line as receipts show it: "VAT 19%" (added) or "incl. VAT 19%"."""

    model_config = ConfigDict(frozen=True)

    label: str
    amount: Amount


class OrderPlaced(DomainEvent):
    event_type = "OrderPlaced"

    order_number: str
    email: str
    customer_name: str
    lines: tuple[OrderLineSummary, ...]
    currency: str
    subtotal: Amount
    shipping: Amount
    tax: Amount
    discount: Amount
    total: Amount
    # Events recorded before tax lines existed have none: one "Tax" row is shown.
    tax_rows: tuple[TaxRowSummary, ...] = ()
    # What gift cards paid of the total (events recorded before gift cards: nothing).
    gift_card: Amount = Decimal("0.00")


class OrderPaid(DomainEvent):
    event_type = "OrderPaid"

    order_number: str
    email: str
    customer_name: str
    amount: Amount
    currency: str

    @classmethod
    def of(cls, order: Order, amount: Decimal) -> OrderPaid:
        """The order paid: `amount` is what this payment brought (a card's, or the gift
        card's when it paid the whole total)."""
        return cls(
            aggregate_id=str(order.id),
            order_number=order.number,
            email=order.email,
            customer_name=order.customer_name,
            amount=amount,
            currency=order.currency,
        )


class OrderEdited(DomainEvent):
    """Staff changed the order before it shipped: what changed, its lines and totals now,
    and how the difference is settled (`to_pay`: a payment link follows; `to_give_back`:
    refunded to how it was paid)."""

    event_type = "OrderEdited"

    order_number: str
    email: str
    customer_name: str
    changes: tuple[str, ...]
    lines: tuple[OrderLineSummary, ...]
    currency: str
    old_total: Amount
    total: Amount
    to_pay: Amount
    to_give_back: Amount


class OrderCancelled(DomainEvent):
    event_type = "OrderCancelled"

    order_number: str
    email: str
    reason: str


class OrderFulfilled(DomainEvent):
    """The order was shipped."""

    event_type = "OrderFulfilled"

    order_number: str
    email: str
    customer_name: str
    carrier: str
    # The tracking number; for an order in several parcels, each one's with where it
    # comes from: "1Z1 (from Riverside), 1Z2 (from Main warehouse)".
    tracking_number: str
    parcels: int = 1
    phone: str | None = None
