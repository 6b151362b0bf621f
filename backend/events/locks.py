"""Row locks of event deliveries (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.events.models import EventDelivery


async def lock_delivery_for_update(
    session: AsyncSession, event_id: uuid.UUID, handler: str
) -> EventDelivery:
    return (
        await session.exec(
            select(EventDelivery)
            .where(EventDelivery.event_id == event_id, EventDelivery.handler == handler)
            .with_for_update()
        )
    ).one()
