"""Running one handler for one event, with retries, backoff and dead-lettering."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from arq import Retry

from backend.events import deliveries
from backend.settings import get_settings
from jobs.handlers import HANDLERS_BY_NAME

logger = logging.getLogger(__name__)


def retry_delay_seconds(attempt: int) -> float:
    """Exponential backoff: base, 2×base, 4×base, … capped at ten minutes."""
    return min(get_settings().event_retry_base_seconds * 2 ** (attempt - 1), 600.0)


async def handle_event_job(ctx: dict[str, Any], event_id: str, handler: str) -> str:
    """The arq job behind every (event, handler) pair. Safe to run any number of times."""
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
        raise Retry(defer=retry_delay_seconds(started.attempt)) from error
    await deliveries.finish_delivery(uuid.UUID(event_id), handler)
    return "done"
