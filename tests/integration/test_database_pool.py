"""The connection pool asks PostgreSQL whether a pooled connection is alive only when it
sat idle (`backend/core/db.py`): none of the round trips in a busy process, and a
connection the server dropped meanwhile is replaced before anyone uses it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from backend.core import db
from backend.core.db import get_engine, ping_connections_after_idling, session_scope
from backend.settings import get_settings

IDLE_SECONDS = 0.3


def _count_pings(monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine) -> list[object]:
    pings: list[object] = []
    dialect = engine.sync_engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _terminate(pid: int) -> None:
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() takes no TextClause
            text("SELECT pg_terminate_backend(:pid)"), params={"pid": pid}
        )


@pytest.fixture
async def small_pool() -> AsyncIterator[Callable[[float], AsyncEngine]]:
    """Engines of one pooled connection, pinged after `idle` seconds."""
    engines: list[AsyncEngine] = []

    def make(idle: float) -> AsyncEngine:
        engine = create_async_engine(get_settings().database_url, pool_size=1, max_overflow=0)
        ping_connections_after_idling(engine, idle)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


async def test_the_shops_pool_pings_a_connection_only_after_it_sat_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pings = _count_pings(monkeypatch, get_engine())
    await _backend_pid(get_engine())

    for _ in range(5):
        await _backend_pid(get_engine())
    assert pings == []  # each reuse came a moment after the last

    await asyncio.sleep(db.PING_CONNECTIONS_IDLE_FOR_SECONDS + 0.1)
    await _backend_pid(get_engine())
    assert len(pings) == 1


async def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    small_pool: Callable[[float], AsyncEngine],
) -> None:
    engine = small_pool(IDLE_SECONDS)
    dropped = await _backend_pid(engine)
    await _terminate(dropped)  # as a restart or an idle-closing proxy would
    await asyncio.sleep(IDLE_SECONDS + 0.1)

    assert await _backend_pid(engine) != dropped  # no error: a new connection served it


async def test_without_the_idle_time_a_dropped_connection_fails_its_next_use(
    small_pool: Callable[[float], AsyncEngine],
) -> None:
    """The price of not pinging busy connections, and why the idle time stays short: a
    connection dropped less than that before its next use fails that use once."""
    engine = small_pool(60.0)
    dropped = await _backend_pid(engine)
    await _terminate(dropped)
    await asyncio.sleep(IDLE_SECONDS + 0.1)

    with pytest.raises(DBAPIError):
        await _backend_pid(engine)
    assert await _backend_pid(engine) != dropped  # and the pool reconnects after it
