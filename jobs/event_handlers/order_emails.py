"""E-mails (and the shipping SMS) to an order's customer, one per step of the order and
of its returns."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from backend.core.errors import InvalidInputError, NotFoundError
from backend.invoices import pdf
from backend.invoices import services as invoices
from backend.invoices.models import Document
from backend.notifications import services as notifications
from backend.notifications.schemas import Attachment
from backend.orders.events import (
    OrderEdited,
    OrderFulfilled,
    OrderPaid,
    OrderPlaced,
)
from backend.payments import links as payment_links
from backend.payments.events import PaymentLinkRequested, PaymentRefunded
from backend.returns.events import (
    ReturnApproved,
    ReturnReceived,
    ReturnRejected,
    ReturnRequested,
)
from jobs.event_handlers import invoicing
from jobs.event_handlers.shop_links import one_time_link, shop_url


async def _email_about_order(
    event: OrderPlaced
    | OrderEdited
    | OrderPaid
    | OrderFulfilled
    | PaymentRefunded
    | ReturnRequested
    | ReturnApproved
    | ReturnRejected
    | ReturnReceived,
    template: str,
    attachments: tuple[Attachment, ...] = (),
    **extra: object,
) -> None:
    """An e-mail to the order's customer, with the event's data and a link to the order."""
    await notifications.send_email(
        attachments=attachments,
        template=template,
        to=event.email,
        context={
            **event.model_dump(mode="json"),
            "order_url": shop_url(f"/orders/{event.order_number}"),
            **extra,
        },
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_order_confirmation(event: OrderPlaced) -> None:
    await _email_about_order(
        event,
        "order_confirmation",
        discount_applies=event.discount > 0,
        gift_card_applies=event.gift_card > 0,
        to_pay=event.total - event.gift_card,
    )


async def _as_attachment(document: Document) -> Attachment:
    data = await asyncio.to_thread(pdf.render, document)
    return Attachment(f"{document.number}.pdf", "application/pdf", data)


async def send_payment_received(event: OrderPaid) -> None:
    """With the invoice attached: issued here if its own handler has not run yet (one per
    order either way), drawn again the same on a retry. An order that cannot be invoiced
    (no longer found, not paid) still gets its e-mail, without the attachment."""
    try:
        invoice = await invoices.issue_invoice(event.order_number)
    except (NotFoundError, InvalidInputError):
        await _email_about_order(event, "payment_received")
        return
    await _email_about_order(
        event,
        "payment_received",
        attachments=(await _as_attachment(invoice),),
        invoice_number=invoice.number,
    )


async def send_order_shipped(event: OrderFulfilled) -> None:
    await _email_about_order(event, "order_shipped")
    if event.phone:
        await notifications.send_sms(
            template="order_shipped",
            to=event.phone,
            context=event.model_dump(mode="json"),
            idempotency_key=notifications.sms_key(event.event_id, event.phone),
            event_id=event.event_id,
        )


async def send_refund_issued(event: PaymentRefunded) -> None:
    """With the refund's credit note attached (the same one `issue_credit_note` writes);
    without it when the order is not found."""
    try:
        note = await invoicing.issue_credit_note_for(event)
    except (NotFoundError, InvalidInputError):
        await _email_about_order(event, "refund_issued")
        return
    await _email_about_order(
        event,
        "refund_issued",
        attachments=(await _as_attachment(note),),
        credit_note_number=note.number,
    )


async def send_return_requested(event: ReturnRequested) -> None:
    await _email_about_order(event, "return_requested")


async def send_return_approved(event: ReturnApproved) -> None:
    """Send the items back; with an exchange, the order that sends the new variants and
    whether the customer owes the price difference (its payment link comes separately)."""
    await _email_about_order(event, "return_approved", owes=event.exchange_to_pay > 0)


async def send_return_rejected(event: ReturnRejected) -> None:
    await _email_about_order(event, "return_rejected")


async def send_return_received(event: ReturnReceived) -> None:
    await _email_about_order(event, "return_received")


async def send_order_edited(event: OrderEdited) -> None:
    """What staff changed on the order, its total now, and how the difference is settled."""
    await _email_about_order(
        event, "order_edited", owes=event.to_pay > 0, gets_back=event.to_give_back > 0
    )


async def send_payment_request(event: PaymentLinkRequested) -> None:
    """The link to pay an order staff took; made as the message is sent (a retry makes
    another: the record staff can read has it redacted). Nothing when the order no longer
    waits for payment."""
    order_id = uuid.UUID(event.aggregate_id)
    if not await payment_links.is_payable(order_id):
        return

    async def context() -> dict[str, object]:
        token = await payment_links.issue_payment_link(order_id)
        if token is None:  # paid or cancelled a moment ago: the retry sends nothing
            msg = f"order {event.order_number} no longer waits for payment"
            raise RuntimeError(msg)
        return {
            **event.model_dump(mode="json"),
            "pay_url": one_time_link("/pay", token),
            "expires_on": f"{datetime.fromisoformat(event.expires_at):%d %B %Y}",
        }

    await notifications.send_email(
        template="payment_request",
        to=event.email,
        context=context,
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )
