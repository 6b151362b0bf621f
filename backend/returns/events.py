"""Events of the returns domain. Each carries what its e-mail to the shopper needs."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from backend.events.base import Amount, DomainEvent


class ReturnedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    quantity: int
    exchange_for: str = ""  # the variant sent instead of money back ("": refunded)


class _ReturnEvent(DomainEvent):
    return_number: str
    order_number: str
    email: str
    customer_name: str
    items: tuple[ReturnedItem, ...]


class ReturnRequested(_ReturnEvent):
    event_type = "ReturnRequested"

    reason: str  # the reason's label, e.g. "Does not fit"


class ReturnApproved(_ReturnEvent):
    event_type = "ReturnApproved"

    note: str = ""
    # The order sending the exchanged variants ("": none), and the price difference the
    # customer pays for it by the payment link e-mailed separately (0: the credit paid).
    exchange_order_number: str = ""
    exchange_to_pay: Amount = Decimal("0.00")
    currency: str = ""


class ReturnRejected(_ReturnEvent):
    event_type = "ReturnRejected"

    note: str  # why, in staff's words


class ReturnReceived(_ReturnEvent):
    event_type = "ReturnReceived"

    restocked: bool


class ReturnRefunded(_ReturnEvent):
    """The return's money went back. The shopper's e-mail for this step is the refund
    notice of the payment (`PaymentRefunded`, naming the return), not a second one."""

    event_type = "ReturnRefunded"

    amount: Amount
    currency: str
