"""Sending messages exactly once per idempotency key, and recording every send.

The message row is created on the first attempt (rendered then, so every retry sends the
same text) and locked while it is sent, so two runs of one job cannot both send it; a
row already `sent` or `stored` is never sent again. The one gap no database can close:
if the process dies after the SMTP server accepted the message but before the row is
marked sent, a retry sends it again, with the same Message-ID.

Messages with one-time links (`rendering.ONE_TIME_LINKS`) are the exception: once a
transport delivers mail, the row keeps a copy whose links carry no token (staff read rows
in Admin → Messages; a reset link there would let any admin take over any account), so
each attempt renders the message again from its context (a context factory then issues
fresh links). Without a transport the row is the message itself and keeps the links.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from sqlalchemy.dialects.postgresql import insert

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.notifications.errors import DeliveryError
from backend.notifications.locks import lock_notification_for_update
from backend.notifications.models import Notification
from backend.notifications.rendering import (
    carries_one_time_links,
    render_email,
    render_email_for_the_record,
    render_sms,
)
from backend.notifications.schemas import Attachment, RenderedEmail, SendResult
from backend.notifications.transports import configured_email_transport, configured_sms_provider
from backend.observability import metrics
from backend.observability.tracing import span
from backend.shop_settings.values import store_settings

Context = dict[str, Any]
ContextSource = Context | Callable[[], Awaitable[Context]]


def email_key(event_id: uuid.UUID, recipient: str) -> str:
    return f"{event_id}:email:{recipient.lower()}"


def sms_key(event_id: uuid.UUID, recipient: str) -> str:
    return f"{event_id}:sms:{recipient}"


async def _context(source: ContextSource) -> Context:
    """The message's own values, and the store's name and legal footer (its settings now)."""
    values = source if isinstance(source, dict) else await source()
    shop = await store_settings()
    footer = {
        "shop_name": shop.shop_name,
        "legal_name": shop.legal_name,
        "legal_address": shop.legal_address,
        "vat_number": shop.vat_number,
        "support_email": shop.support_email,
    }
    return footer | values


async def send_email(
    *,
    template: str,
    to: str,
    context: ContextSource,
    idempotency_key: str,
    event_id: uuid.UUID | None = None,
    attachments: Sequence[Attachment] = (),
) -> SendResult:
    """Send (or store) one e-mail. `context` may be a coroutine factory: it then runs only on
    the first attempt, e.g. to issue a one-time link. `attachments` go with the e-mail
    when a transport delivers it (a stored message is the text alone)."""
    # The span names the template, never the recipient.
    with span("email send", {"shop.email.template": template}) as email_span:
        result = await _deliver(
            channel="email",
            template=template,
            to=to,
            context=context,
            idempotency_key=idempotency_key,
            event_id=event_id,
            attachments=tuple(attachments),
        )
        email_span.set_attributes(
            {"shop.email.status": result.status, "shop.email.sent_now": result.sent_now}
        )
        return result


async def send_sms(
    *,
    template: str,
    to: str,
    context: ContextSource,
    idempotency_key: str,
    event_id: uuid.UUID | None = None,
) -> SendResult:
    return await _deliver(
        channel="sms",
        template=template,
        to=to,
        context=context,
        idempotency_key=idempotency_key,
        event_id=event_id,
    )


async def _deliver(
    *,
    channel: Literal["email", "sms"],
    template: str,
    to: str,
    context: ContextSource,
    idempotency_key: str,
    event_id: uuid.UUID | None,
    attachments: tuple[Attachment, ...] = (),
) -> SendResult:
    failure: DeliveryError | None = None
    async with session_scope() as session:
        await session.exec(
            insert(Notification)
            .values(
                idempotency_key=idempotency_key,
                event_id=event_id,
                channel=channel,
                recipient=to,
                template=template,
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        row = await lock_notification_for_update(session, idempotency_key)
        if row.status in ("sent", "stored"):
            return SendResult(notification_id=row.id, status=row.status, sent_now=False)  # type: ignore[arg-type]  # only "sent"/"stored" pass the check above
        row.attempts += 1
        deliverable: RenderedEmail | None = None
        if channel == "email" and carries_one_time_links(template):
            values = await _context(context)
            deliverable = render_email(template, values)
            kept = (
                render_email_for_the_record(template, values)
                if configured_email_transport() is not None
                else deliverable
            )
            row.subject, row.body_text, row.body_html = kept.subject, kept.text, kept.html
        elif not row.body_text:
            values = await _context(context)
            if channel == "email":
                rendered = render_email(template, values)
                row.subject, row.body_text, row.body_html = (
                    rendered.subject,
                    rendered.text,
                    rendered.html,
                )
            else:
                row.body_text = render_sms(template, values)
        try:
            provider_id = await _send(row, deliverable, attachments)
        except DeliveryError as error:
            row.status, row.last_error = "failed", error.message
            failure = error
        else:
            row.status = "sent" if provider_id else "stored"
            row.provider_message_id = provider_id
            row.sent_at = utcnow()
            row.last_error = None
            result = SendResult(notification_id=row.id, status=row.status, sent_now=True)  # type: ignore[arg-type]  # set to "sent" or "stored" just above
    if failure is not None:
        metrics.EMAILS.labels("failed").inc()
        # Raised after the commit, so the failed attempt and its error stay on record.
        raise failure
    if result.sent_now:
        metrics.EMAILS.labels(result.status).inc()
    return result


async def _send(
    row: Notification, deliverable: RenderedEmail | None, attachments: tuple[Attachment, ...]
) -> str | None:
    """Hand the message to its provider. None means no provider: the row is the message.
    `deliverable` is the e-mail to send when it differs from the row's record of it."""
    if row.channel == "email":
        transport = configured_email_transport()
        if transport is None:
            return None
        email = dataclasses.replace(
            deliverable
            or RenderedEmail(subject=row.subject, text=row.body_text, html=row.body_html or ""),
            attachments=attachments,
        )
        return await transport.send(to=row.recipient, email=email, message_key=row.idempotency_key)
    provider = configured_sms_provider()
    if provider is None:
        return None
    return await provider.send(
        to=row.recipient, text=row.body_text, message_key=row.idempotency_key
    )
