"""Invoices and credit notes follow the money: an order paid gets its invoice, a refund
its credit note. Both are safe to run again (one invoice per order, one credit note per
refund event). An event about an order that does not exist (or is not paid) has nothing
to invoice: it is logged and done, not retried."""

from __future__ import annotations

import logging

from backend.core.errors import InvalidInputError, NotFoundError
from backend.invoices import services as invoices
from backend.invoices.models import Document
from backend.orders.events import OrderPaid
from backend.payments.events import PaymentRefunded

logger = logging.getLogger(__name__)


async def issue_invoice(event: OrderPaid) -> None:
    try:
        await invoices.issue_invoice(event.order_number)
    except (NotFoundError, InvalidInputError) as error:
        logger.warning("no invoice for order %s: %s", event.order_number, error)


async def issue_credit_note(event: PaymentRefunded) -> None:
    try:
        await issue_credit_note_for(event)
    except (NotFoundError, InvalidInputError) as error:
        logger.warning("no credit note for order %s: %s", event.order_number, error)


async def issue_credit_note_for(event: PaymentRefunded) -> Document:
    """The refund's credit note (its event id is the note's reference: one per refund)."""
    return await invoices.issue_credit_note(
        event.order_number,
        amount=event.amount,
        reason=event.reason or "Refund",
        reference=str(event.event_id),
    )
