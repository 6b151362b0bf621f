"""Invoices and credit notes follow the money: an order paid gets its invoice, a refund
its credit note. Both are safe to run again (one invoice per order, one credit note per
refund event)."""

from __future__ import annotations

from backend.invoices import services as invoices
from backend.orders.events import OrderPaid
from backend.payments.events import PaymentRefunded


async def issue_invoice(event: OrderPaid) -> None:
    await invoices.issue_invoice(event.order_number)


async def issue_credit_note(event: PaymentRefunded) -> None:
    await invoices.issue_credit_note(
        event.order_number,
        amount=event.amount,
        reason=event.reason or "Refund",
        reference=str(event.event_id),
    )
