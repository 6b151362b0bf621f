"""How far behind the event pipeline is, for the metrics an operator alerts on: outbox
events not yet relayed (and the oldest one's age), dead letters, jobs waiting in the arq
queue, and this process's PostgreSQL pool. Read when metrics are scraped."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from backend.core.clock import utcnow
from backend.core.db import get_engine, session_scope
from backend.core.redis import get_redis
from backend.events.models import EventDelivery, OutboxEvent
from backend.observability import metrics

ARQ_QUEUE = "arq:queue"  # arq's default queue (a sorted set of job ids)


async def record_backlog_metrics() -> None:
    """Set the backlog gauges from PostgreSQL and Redis (two queries, one Redis call)."""
    async with session_scope() as session:
        pending, oldest = (
            await session.exec(
                select(func.count(), func.min(OutboxEvent.occurred_at)).where(
                    col(OutboxEvent.dispatched_at).is_(None)
                )
            )
        ).one()
        dead = (
            await session.exec(
                select(func.count())
                .select_from(EventDelivery)
                .where(col(EventDelivery.status) == "dead")
            )
        ).one()
    metrics.OUTBOX_PENDING.set(pending)
    metrics.OUTBOX_OLDEST_AGE.set((utcnow() - oldest).total_seconds() if oldest else 0)
    metrics.DEAD_LETTERS.set(dead)
    metrics.JOB_QUEUE_DEPTH.set(await get_redis().zcard(ARQ_QUEUE))
    pool = get_engine().pool
    metrics.DB_POOL_CONNECTIONS.labels("in_use").set(getattr(pool, "checkedout", lambda: 0)())
    metrics.DB_POOL_CONNECTIONS.labels("idle").set(getattr(pool, "checkedin", lambda: 0)())
    metrics.DB_POOL_CONNECTIONS.labels("overflow").set(
        max(getattr(pool, "overflow", lambda: 0)(), 0)
    )
