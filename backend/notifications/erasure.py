"""Messages to a person, for their data export and their erasure: after it, each row
records only that a message of a template was sent, and when."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.redaction import ERASED, ERASED_EMAIL
from backend.notifications.models import Notification


@dataclass(frozen=True)
class SentMessage:
    channel: str
    template: str
    subject: str
    body_text: str
    status: str
    sent_at: datetime | None
    created_at: datetime


def _to(recipients: Collection[str]) -> object:
    return func.lower(Notification.recipient).in_([r.lower() for r in recipients])


async def messages_to(session: AsyncSession, recipients: Collection[str]) -> list[SentMessage]:
    rows = (
        await session.exec(
            select(Notification)
            .where(_to(recipients))  # type: ignore[arg-type]
            .order_by(col(Notification.created_at))
        )
    ).all()
    return [
        SentMessage(
            r.channel, r.template, r.subject, r.body_text, r.status, r.sent_at, r.created_at
        )
        for r in rows
    ]


async def forget_recipient(session: AsyncSession, recipients: Collection[str]) -> int:
    rows = (
        await session.exec(
            select(Notification).where(_to(recipients)).with_for_update()  # type: ignore[arg-type]
        )
    ).all()
    for row in rows:
        row.recipient = ERASED_EMAIL if row.channel == "email" else ERASED
        row.idempotency_key = f"erased:{row.id}"
        row.subject, row.body_text, row.body_html = ERASED, "", None
        row.last_error = ERASED if row.last_error else None
        session.add(row)
    return len(rows)
