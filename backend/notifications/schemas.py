"""Shapes of the notifications domain: the one-time links senders pass to templates, a
rendered e-mail, what a send did, and the record of messages staff read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["sent", "stored"]  # what a send leaves a message as
REDACTED_TOKEN = "[removed]"  # noqa: S105  (what stands where a token was)


@dataclass(frozen=True)
class OneTimeLink:
    """A link whose `token` is a credential. Renders as the full link; `redacted` is the
    same link with the token replaced, which names the page and works for nobody."""

    url: str
    token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.token or self.token not in self.url:
            msg = "a one-time link must contain its token"
            raise ValueError(msg)

    def __str__(self) -> str:
        return self.url

    @property
    def redacted(self) -> str:
        return self.url.replace(self.token, REDACTED_TOKEN)


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail ("INV-2026-00001.pdf"). Not kept with the message's
    record: the sender passes it on every attempt (an invoice is drawn again the same)."""

    filename: str
    content_type: str  # "application/pdf"
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class MessageSummary:
    id: uuid.UUID
    channel: str
    recipient: str
    template: str
    subject: str
    status: str
    attempts: int
    provider_message_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class MessageDetail(MessageSummary):
    body_text: str
    body_html: str | None


@dataclass(frozen=True)
class SendResult:
    notification_id: uuid.UUID
    status: Status
    # False when an earlier attempt had already sent (or stored) this message.
    sent_now: bool
