"""The relay's side of the outbox: claim committed events and hand them to the queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import func, update
from sqlmodel import col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.locks import lock_undispatched_events_for_update
from backend.events.models import OutboxEvent
from backend.events.schemas import HandlerJob


async def dispatch_pending_events(
    *,
    handlers_for: Callable[[str], Sequence[str]],
    enqueue: Callable[[list[HandlerJob]], Awaitable[None]],
    batch_size: int = 500,
) -> int:
    """Hand one batch of undispatched events to `enqueue`; returns how many were claimed.

    Rows are locked with SKIP LOCKED, so several relays can run side by side. If
    `enqueue` fails (say, Redis is down) the transaction rolls back and the events stay
    undispatched for the next attempt: nothing is lost.
    """
    async with session_scope() as session:
        rows = await lock_undispatched_events_for_update(session, limit=batch_size)
        if not rows:
            return 0
        jobs = [
            HandlerJob(
                event_id=event_id,
                event_type=event_type,
                handler=handler,
                job_id=f"{event_id}:{handler}:{dispatch_count + 1}",
                trace_context=dict(trace_context) if trace_context else None,
            )
            for event_id, event_type, dispatch_count, trace_context in rows
            for handler in handlers_for(event_type)
        ]
        if jobs:
            await enqueue(jobs)
        await session.exec(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_([row[0] for row in rows]))
            .values(dispatched_at=utcnow(), dispatch_count=OutboxEvent.dispatch_count + 1)
        )
    return len(rows)


async def count_undispatched_events() -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(func.count()).where(col(OutboxEvent.dispatched_at).is_(None)))
        ).one()
