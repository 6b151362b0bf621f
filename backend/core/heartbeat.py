"""The worker's heartbeat: proof for staff that background jobs are being processed."""

from __future__ import annotations

from datetime import datetime

from backend.core.clock import utcnow
from backend.core.redis import get_redis

HEARTBEAT_KEY = "worker:heartbeat"
# A worker that has not beaten for this long is reported as not running.
HEARTBEAT_TTL_SECONDS = 120


async def record_worker_heartbeat() -> datetime:
    now = utcnow()
    await get_redis().set(HEARTBEAT_KEY, now.isoformat(), ex=HEARTBEAT_TTL_SECONDS)
    return now


async def last_worker_heartbeat() -> datetime | None:
    value = await get_redis().get(HEARTBEAT_KEY)
    return datetime.fromisoformat(value) if value else None
