"""Reading payments: an order's charges and refunds, and the order together with them (the
order pages, the API's order resource). Payments reads orders, never the reverse (ADR 0006)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select

from backend.core.db import read_scope
from backend.orders import queries as order_queries
from backend.orders.queries import OrderDetail
from backend.payments.models import PaymentTransaction
from backend.settings import PaymentGatewayName


@dataclass(frozen=True)
class PaymentRecord:
    at: datetime
    kind: str  # "payment" or "refund"
    status: str
    amount: Decimal
    failure_message: str | None
    gateway: str  # "stripe", or "test": the built-in test gateway (nobody was charged)


@dataclass(frozen=True)
class OrderWithPayments(OrderDetail):
    """An order as its pages show it: the order's own detail and its payment history."""

    transactions: tuple[PaymentRecord, ...]

    @property
    def test_payment(self) -> bool:
        """Paid (or tried) through the built-in test gateway: no money was taken, and the
        order must not be shipped as if it had been."""
        return any(
            t.kind == "payment" and t.gateway == PaymentGatewayName.TEST for t in self.transactions
        )


async def payment_history(order_id: uuid.UUID) -> tuple[PaymentRecord, ...]:
    """The order's charges and refunds, oldest first."""
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(PaymentTransaction)
                .where(PaymentTransaction.order_id == order_id)
                .order_by(col(PaymentTransaction.created_at))
            )
        ).all()
    return tuple(
        PaymentRecord(p.created_at, p.kind, p.status, p.amount, p.failure_message, p.gateway)
        for p in rows
    )


async def get_order_with_payments(number: str) -> OrderWithPayments:
    """One order by its number with its lines, timeline and payments; raises NotFoundError.
    The caller decides whether the viewer may see it (`orders.queries.may_view`)."""
    order = await order_queries.get_order(number)
    own_fields = {field.name: getattr(order, field.name) for field in dataclasses.fields(order)}
    return OrderWithPayments(**own_fields, transactions=await payment_history(order.id))
