"""The outbox relay: moves committed events to handler jobs, promptly and without loss.

It runs inside each worker process. It wakes on PostgreSQL NOTIFY (sent when an event's
transaction commits) and also polls every second, which covers notifications missed while
reconnecting. Several relays may run at once: rows are claimed with SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import psycopg
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from opentelemetry.trace import SpanKind

from backend.events.outbox import OUTBOX_CHANNEL
from backend.events.relay import dispatch_pending_events
from backend.events.schemas import HandlerJob
from backend.observability.tracing import continued_span, trace_carrier
from backend.settings import get_settings
from jobs.handlers import handler_names_for

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH_SIZE = 500
MAX_BACKOFF_SECONDS = 10.0


async def enqueue_handler_jobs(redis: ArqRedis, jobs: list[HandlerJob]) -> None:
    by_event: dict[uuid.UUID, list[HandlerJob]] = {}
    for job in jobs:
        by_event.setdefault(job.event_id, []).append(job)
    for event_id, handler_jobs in by_event.items():
        first = handler_jobs[0]
        # One span per event handed on, in the trace of the work that recorded it; its
        # jobs carry this span's context on to the worker.
        with continued_span(
            f"relay {first.event_type}",
            first.trace_context,
            {
                "shop.event.id": str(event_id),
                "shop.event.handlers": [job.handler for job in handler_jobs],
            },
            kind=SpanKind.PRODUCER,
        ):
            carrier = trace_carrier()
            for job in handler_jobs:
                # arq refuses a second job with the same id while the first is queued or kept.
                await redis.enqueue_job(
                    "handle_event_job",
                    str(job.event_id),
                    job.handler,
                    _job_id=job.job_id,
                    trace_context=carrier,
                )


async def relay_once(redis: ArqRedis) -> int:
    """Dispatch everything pending right now; returns the number of events moved."""
    moved = 0
    while True:
        count = await dispatch_pending_events(
            handlers_for=handler_names_for,
            enqueue=lambda jobs: enqueue_handler_jobs(redis, jobs),
            batch_size=BATCH_SIZE,
        )
        moved += count
        if count < BATCH_SIZE:
            return moved


def _listen_url() -> str:
    return "postgresql://" + get_settings().database_url.split("://", 1)[1]


async def run_relay(stop: asyncio.Event) -> None:
    """Relay until `stop` is set. Database or Redis outages are waited out, never fatal:
    the events wait in PostgreSQL meanwhile."""
    backoff = POLL_SECONDS
    redis: ArqRedis | None = None
    while not stop.is_set():
        try:
            if redis is None:
                redis = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
            async with await psycopg.AsyncConnection.connect(
                _listen_url(), autocommit=True
            ) as listener:
                await listener.execute(f"LISTEN {OUTBOX_CHANNEL}")
                while not stop.is_set():
                    await relay_once(redis)
                    backoff = POLL_SECONDS
                    # Wake on the first NOTIFY, or after a second at the latest.
                    async for _ in listener.notifies(timeout=POLL_SECONDS, stop_after=1):
                        pass
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("outbox relay paused (%s); retrying in %.0f s", error, backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    if redis is not None:
        await redis.aclose()
