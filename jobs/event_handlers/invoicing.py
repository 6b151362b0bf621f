"""Invoices and credit notes follow the money: an order paid gets its invoice, a refund
its credit note. Both are safe to run again (one invoice per order, one credit note per
refund event)."""

from __future__ import annotations

from backend.invoices import services as invoices
from backend.invoices.models import Document
from backend.orders.events import OrderPaid
from backend.payments.events import PaymentRefunded


async def issue_invoice(event: OrderPaid) -> None:
    await invoices.issue_invoice(event.order_number)


async def issue_credit_note(event: PaymentRefunded) -> None:
    await issue_credit_note_for(event)


async def issue_credit_note_for(event: PaymentRefunded) -> Document:
    """The refund's credit note (its event id is the note's reference: one per refund)."""
    return await invoices.issue_credit_note(
        event.order_number,
        amount=event.amount,
        reason=event.reason or "Refund",
        reference=str(event.event_id),
    )
