"""Row locks of notifications (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.notifications.models import Notification


async def lock_notification_for_update(session: AsyncSession, idempotency_key: str) -> Notification:
    """The message with this key; it must exist (the caller inserted it if missing)."""
    return (
        await session.exec(
            select(Notification)
            .where(Notification.idempotency_key == idempotency_key)
            .with_for_update()
        )
    ).one()
