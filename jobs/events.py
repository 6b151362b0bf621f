"""Running one handler for one event, with retries, backoff and dead-lettering."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from arq import Retry
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError

import backend.event_registry  # noqa: F401  (every event type, so stored rows can be read)
from backend.events import deliveries
from backend.observability import metrics
from backend.observability.tracing import continued_span
from backend.settings import get_settings
from jobs.handlers import HANDLERS_BY_NAME

logger = logging.getLogger(__name__)


# A job that cannot reach its stores is tried again this many times, a minute apart at most.
OUTAGE_RETRIES = 30
OUTAGE_RETRY_CAP_SECONDS = 60.0
# The database (or a connection to it) is unavailable: nothing could be recorded.
_OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisError, OSError)


def retry_delay_seconds(attempt: int) -> float:
    """Exponential backoff: base, 2×base, 4×base, … capped at ten minutes."""
    return min(get_settings().event_retry_base_seconds * 2.0 ** (attempt - 1), 600.0)


async def handle_event_job(
    ctx: dict[str, Any],
    event_id: str,
    handler: str,
    trace_context: dict[str, str] | None = None,
) -> str:
    """The arq job behind every (event, handler) pair. Safe to run any number of times.

    When PostgreSQL is away (a restart, a failover), the attempt cannot even be recorded:
    the job is handed back to the queue to run again shortly, instead of being dropped.
    `trace_context` is the relay's span: the job's span continues the event's trace.
    """
    with continued_span(
        f"job {handler}",
        trace_context,
        {
            "shop.event.id": event_id,
            "shop.event.handler": handler,
            "shop.job.try": int(ctx.get("job_try", 1)),
        },
    ) as job_span:
        started = time.perf_counter()
        # Handler names come from the registry; anything else is one label, not many.
        label = handler if handler in HANDLERS_BY_NAME else "(unknown)"
        try:
            outcome = await _handle_event_reporting_outages(ctx, event_id, handler)
        except Retry:
            metrics.EVENT_DELIVERIES.labels(label, "retried").inc()
            metrics.JOB_DURATION.labels("handle_event_job", "retried").observe(
                time.perf_counter() - started
            )
            raise
        result = {"done": "succeeded", "already done": "duplicate"}.get(outcome, "dead_lettered")
        metrics.EVENT_DELIVERIES.labels(label, result).inc()
        metrics.JOB_DURATION.labels("handle_event_job", result).observe(
            time.perf_counter() - started
        )
        job_span.set_attribute("shop.job.outcome", outcome)
        return outcome


async def _handle_event_reporting_outages(ctx: dict[str, Any], event_id: str, handler: str) -> str:
    try:
        return await _handle_event(event_id, handler)
    except _OUTAGE_ERRORS as error:
        job_try = int(ctx.get("job_try", 1))
        delay = min(2.0 * job_try, OUTAGE_RETRY_CAP_SECONDS)
        logger.warning(
            "event %s handler %s: store unavailable (%s); again in %.0f s",
            event_id,
            handler,
            type(error).__name__,
            delay,
        )
        raise Retry(defer=delay) from error


async def _handle_event(event_id: str, handler: str) -> str:
    max_attempts = get_settings().event_max_attempts
    started = await deliveries.start_delivery(
        uuid.UUID(event_id), handler, max_attempts=max_attempts
    )
    if started is None:
        return "already done"
    try:
        await HANDLERS_BY_NAME[handler](started.event)
    except Exception as error:  # any failure is recorded, then retried or dead-lettered
        dead = await deliveries.fail_delivery(
            uuid.UUID(event_id),
            handler,
            error=f"{type(error).__name__}: {error}",
            max_attempts=max_attempts,
        )
        if dead:
            logger.error("event %s handler %s dead-lettered: %s", event_id, handler, error)
            return "dead-lettered"
        delay = retry_delay_seconds(started.attempt)
        # Each failed attempt once in the log (its error is also on the delivery's row):
        # a handler that keeps failing is seen before it is dead-lettered.
        logger.warning(
            "event %s handler %s failed (attempt %d of %d), again in %.0f s: %s: %s",
            event_id,
            handler,
            started.attempt,
            max_attempts,
            delay,
            type(error).__name__,
            error,
        )
        raise Retry(defer=delay) from error
    await deliveries.finish_delivery(uuid.UUID(event_id), handler)
    return "done"
