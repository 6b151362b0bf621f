"""Reading the record of sent and stored messages (admin Messages page, `python -m jobs.cli`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql._typing import _ColumnsClauseArgument
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.pagination import Page, clamp_page
from backend.notifications.models import Notification
from backend.notifications.schemas import MessageDetail, MessageSummary

_SUMMARY: tuple[_ColumnsClauseArgument[Any], ...] = (
    col(Notification.id),
    col(Notification.channel),
    col(Notification.recipient),
    col(Notification.template),
    col(Notification.subject),
    col(Notification.status),
    col(Notification.attempts),
    col(Notification.provider_message_id),
    col(Notification.last_error),
    col(Notification.created_at),
    col(Notification.sent_at),
)


async def list_messages(
    *, page: int = 1, limit: int = 25, recipient: str | None = None
) -> Page[MessageSummary]:
    page, limit = clamp_page(page, limit)
    where = [] if not recipient else [func.lower(Notification.recipient) == recipient.lower()]
    async with read_scope() as session:
        rows: Sequence[tuple[Any, ...]] = (
            await session.exec(
                SQLModelSelect(*_SUMMARY)
                .where(*where)
                .order_by(col(Notification.created_at).desc(), col(Notification.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(Notification).where(*where))
        ).one()
    return Page(items=[MessageSummary(*row) for row in rows], total=total, page=page, limit=limit)


async def get_message(message_id: uuid.UUID) -> MessageDetail:
    async with read_scope() as session:
        row: tuple[Any, ...] | None = (
            await session.exec(
                SQLModelSelect(
                    *_SUMMARY, col(Notification.body_text), col(Notification.body_html)
                ).where(Notification.id == message_id)
            )
        ).first()
    if row is None:
        raise NotFoundError("There is no such message.")
    return MessageDetail(*row)


async def attempts_for(idempotency_key: str) -> int:
    """How often the message with this key was tried (0: never)."""
    async with read_scope() as session:
        found = (
            await session.exec(
                select(Notification.attempts).where(
                    col(Notification.idempotency_key) == idempotency_key
                )
            )
        ).first()
    return int(found or 0)
