"""Is this process ready to serve: PostgreSQL answers, Redis answers, the schema is at the
newest migration, and the search index can be read. For the web processes'
`/health/ready` and the worker's (on its metrics port); a load balancer stops sending
traffic to a process that says no, and says which check failed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from backend.core.db import session_scope
from backend.core.health import check_database
from backend.core.redis import get_redis
from backend.search import storage
from backend.settings import PROJECT_ROOT

CHECK_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # check → "ok" or what is wrong

    @property
    def ready(self) -> bool:
        return all(outcome == "ok" for outcome in self.checks.values())


@lru_cache(maxsize=1)
def newest_migration() -> str:
    """The head revision of the migration scripts this code ships with."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


async def _database() -> None:
    await check_database()


async def _redis() -> None:
    await get_redis().ping()  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"


async def _migrations() -> None:
    async with session_scope() as session:
        current = (
            await session.exec(text("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
        ).scalar_one_or_none()
    if current != newest_migration():
        raise RuntimeError(f"schema at {current}, code expects {newest_migration()}")


async def _search_index() -> None:
    def readable() -> None:
        generation = storage.current_generation(storage.index_root())
        if generation is None or not storage.matches_schema(generation):
            raise RuntimeError("no index with this code's fields yet (it is being built)")

    await asyncio.to_thread(readable)


_CHECKS = {
    "database": _database,
    "redis": _redis,
    "migrations": _migrations,
    "search_index": _search_index,
}


async def check_readiness() -> Readiness:
    """Every check at once, each within CHECK_TIMEOUT_SECONDS."""

    async def outcome(check: str) -> str:
        try:
            await asyncio.wait_for(_CHECKS[check](), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return "timed out"
        except Exception as error:
            return f"failed: {type(error).__name__}: {str(error)[:200]}"
        return "ok"

    results = await asyncio.gather(*(outcome(check) for check in _CHECKS))
    return Readiness(dict(zip(_CHECKS, results, strict=True)))
