"""Where messages go: real SMTP when configured; an SMS provider behind a small interface.

Without a configured provider a message is stored (status `stored`) and readable by staff:
never silently dropped.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from opentelemetry.trace import SpanKind

from backend.notifications.errors import DeliveryError
from backend.notifications.schemas import RenderedEmail
from backend.observability.tracing import span
from backend.settings import get_settings
from backend.shop_settings.values import store_settings

SMTP_TIMEOUT_SECONDS = 20


class EmailTransport(Protocol):
    async def send(self, *, to: str, email: RenderedEmail, message_key: str) -> str:
        """Deliver the e-mail; return the provider's message id."""
        ...


class SmsProvider(Protocol):
    async def send(self, *, to: str, text: str, message_key: str) -> str:
        """Deliver the SMS; return the provider's message id."""
        ...


def message_id_for(message_key: str, sender: str) -> str:
    """A Message-ID that is the same on every retry of one message, so mail systems that
    de-duplicate by Message-ID drop an accidental second copy."""
    sender_domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(message_key.encode()).hexdigest()[:40]}@{sender_domain}>"


class SmtpTransport:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "localhost"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, *, to: str, email: RenderedEmail, message_key: str) -> str:
        message = EmailMessage()
        shop = await store_settings()
        sender = shop.sender
        name, address = parseaddr(sender)
        message["From"] = formataddr((name, address))
        message["To"] = to
        message["Subject"] = email.subject
        message["Message-ID"] = message_id_for(message_key, sender)
        if shop.support_email:
            message["Reply-To"] = shop.support_email
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        for attachment in email.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        try:
            with span(
                "smtp send",
                {"server.address": self.hostname, "server.port": self.port},
                kind=SpanKind.CLIENT,
            ):
                await aiosmtplib.send(
                    message,
                    hostname=self.hostname,
                    port=self.port,
                    username=self.username,
                    password=self.password,
                    use_tls=self.implicit_tls,
                    start_tls=None if not self.implicit_tls else False,
                    timeout=SMTP_TIMEOUT_SECONDS,
                )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery to {to} failed: {exc}") from exc
        message_id: str = message["Message-ID"]  # set above, so never None
        return message_id


def configured_email_transport() -> EmailTransport | None:
    smtp_url = get_settings().smtp_url
    return SmtpTransport(smtp_url.get_secret_value()) if smtp_url else None


def configured_sms_provider() -> SmsProvider | None:
    # No SMS provider is configured in this shop yet: messages are stored for staff to read.
    return None
