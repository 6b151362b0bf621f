"""The arq worker: `arq jobs.worker.WorkerSettings`.

Jobs are thin adapters over backend services; they never hold business rules.
"""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from backend.catalog import queries as catalog
from backend.core.db import dispose_engine
from backend.core.health import check_database
from backend.core.heartbeat import record_worker_heartbeat
from backend.core.redis import close_redis
from backend.settings import get_settings


async def health_check_job(ctx: dict[str, Any]) -> dict[str, object]:
    """Proves the worker reaches PostgreSQL: returns what it read there."""
    await check_database()
    counts = await catalog.get_catalog_counts()
    return {"database": "ok", "active_products": counts.active_products}


async def record_heartbeat_job(ctx: dict[str, Any]) -> str:
    return (await record_worker_heartbeat()).isoformat()


async def _startup(ctx: dict[str, Any]) -> None:
    await record_worker_heartbeat()


async def _shutdown(ctx: dict[str, Any]) -> None:
    await dispose_engine()
    await close_redis()


class WorkerSettings:
    functions: ClassVar[list[Any]] = [health_check_job, record_heartbeat_job]
    cron_jobs: ClassVar[list[Any]] = [
        cron(record_heartbeat_job, second={0, 30}, unique=True, run_at_startup=False)
    ]
    on_startup = _startup
    on_shutdown = _shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    max_tries = 5
    job_timeout = 60
