"""Row locks of event deliveries (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.events.models import EventDelivery, OutboxEvent


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


async def lock_undispatched_events_for_update(
    session: AsyncSession, *, limit: int
) -> Sequence[tuple[uuid.UUID, str, int, Mapping[str, str] | None]]:
    """Up to `limit` undispatched outbox events, oldest first, as (id, type, dispatch
    count, stored trace context). SKIP LOCKED: rows another relay holds are left to it,
    so relays run side by side."""
    return (
        await session.exec(
            select(
                OutboxEvent.id,
                OutboxEvent.event_type,
                OutboxEvent.dispatch_count,
                OutboxEvent.trace_context,
            )
            .where(col(OutboxEvent.dispatched_at).is_(None))
            .order_by(col(OutboxEvent.occurred_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
