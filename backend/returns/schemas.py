"""What returns look like to the pages and the staff list, and the lines a return covers
(for the steps)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backend.orders.models import OrderLine


@dataclass(frozen=True)
class ReturnItem:
    name: str
    quantity: int
    exchange_for: str = ""  # the variant sent instead of money back ("": refunded)


@dataclass(frozen=True)
class ReturnRecord:
    id: uuid.UUID
    number: str
    status: str
    created_at: datetime
    updated_at: datetime
    items: tuple[ReturnItem, ...]
    reason: str  # its label
    comment: str
    decision_note: str
    restocked: bool
    refund_amount: Decimal | None
    # What staff are offered to refund (`refunds.py`), capped at what the order has left.
    suggested_refund: Decimal
    # The order sending the exchanged variants ("" before approval or with no exchange),
    # its status, and what is left to pay on it.
    exchange_order_number: str = ""
    exchange_order_status: str = ""
    exchange_to_pay: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class ExchangeChoice:
    """Another variant of a returned line's product, in stock now."""

    variant_id: uuid.UUID
    title: str  # its options, e.g. "L / Navy"
    price: Decimal


@dataclass(frozen=True)
class ReturnableLine:
    order_line_id: uuid.UUID
    name: str
    delivered: int
    returnable: int
    exchange_choices: tuple[ExchangeChoice, ...] = ()


@dataclass(frozen=True)
class OrderReturns:
    order_id: uuid.UUID
    order_number: str
    currency: str
    returns: tuple[ReturnRecord, ...]
    lines: tuple[ReturnableLine, ...]
    # Why no new return can be asked for ("" when one can), and until when one can.
    refusal: str
    deadline: datetime | None
    refundable: Decimal

    @property
    def can_request(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class ReturnRow:
    id: uuid.UUID
    number: str
    order_number: str
    customer_name: str
    email: str
    status: str
    created_at: datetime
    item_count: int
    reason: str
    refund_amount: Decimal | None
    currency: str


@dataclass(frozen=True)
class StaffReturn:
    """One return for staff, with its order's returnable lines (and their exchange
    choices)."""

    record: ReturnRecord
    order: OrderReturns


@dataclass(frozen=True)
class CoveredLine:
    order_line: OrderLine
    quantity: int
    exchange_variant_id: uuid.UUID | None = None  # the variant wanted instead of money
