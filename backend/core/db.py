"""Database engine and sessions.

Services are async: the Reflex event loop, the API and the arq worker all run on
asyncio, and a blocking database call there would stall every other user.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.settings import get_settings

# A pooled connection back in the pool for less than this is taken as alive without asking
# the server (HikariCP's `aliveBypassWindowMs` does the same, with 0.5 s). Under load a
# connection is reused within milliseconds, and pinging each checkout was one round trip in
# every transaction (a third of the worker's statements). A restart of PostgreSQL or a
# proxy closing idle connections takes longer than this, so the connections it killed are
# pinged, found dead and replaced before anyone uses them.
PING_CONNECTIONS_IDLE_FOR_SECONDS = 1.0


@lru_cache(maxsize=4)
def _engine_for(url: str) -> AsyncEngine:
    # Last in, first out: the connection just handed back serves the next checkout, so a
    # quiet process reuses one warm connection (never pinged) instead of cycling through
    # all ten, each idle long enough to be pinged, and the rest can time out server-side.
    engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_use_lifo=True)
    ping_connections_after_idling(engine, PING_CONNECTIONS_IDLE_FOR_SECONDS)
    return engine


def ping_connections_after_idling(engine: AsyncEngine, seconds: float) -> None:
    """Before a pooled connection that sat idle for `seconds` or more is handed out, ask the
    server if it is there (`pool_pre_ping`, for idle connections only). A dead one makes
    the pool drop every connection it made before (they died with the same server) and
    reconnect, as `pool_pre_ping` does."""
    pool_events = engine.sync_engine.pool
    dialect: Dialect = engine.sync_engine.dialect

    def note_return(dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info["returned_at"] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, entry: ConnectionPoolEntry, proxy: Any) -> None:
        returned_at = entry.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            raise exc.InvalidatePoolError(f"a pooled connection is gone: {error}") from error

    event.listen(pool_events, "checkin", note_return)
    event.listen(pool_events, "checkout", ping_if_idle)


def get_engine() -> AsyncEngine:
    return _engine_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _sessionmaker_for(url: str) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(_engine_for(url), class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(*, then: Callable[[], None] | None = None) -> AsyncIterator[AsyncSession]:
    """One session, one transaction: committed on success, rolled back on any error.
    `then` runs once the transaction has ended, either way: a change to what a process
    caches (the shipping zones, the tax rates) forgets it there, after the commit, so no
    read in between caches what was there before."""
    maker = _sessionmaker_for(get_settings().database_url)
    try:
        async with maker() as session, session.begin():
            yield session
    finally:
        if then is not None:
            then()


class WriteInReadScopeError(RuntimeError):
    """A statement that writes or locks rows was sent in `read_scope`, where no transaction
    would roll it back or hold the lock."""


def _refuse_writes(state: ORMExecuteState) -> None:
    # A row lock taken without a transaction would be let go as the statement ends.
    locks = getattr(state.statement, "_for_update_arg", None) is not None
    if state.is_insert or state.is_update or state.is_delete or locks:
        raise WriteInReadScopeError(
            f"{state.statement} writes or locks: use session_scope(), a transaction"
        )


class _ReadSession(Session):
    """The synchronous session behind `read_scope`'s AsyncSession."""


def _refuse_flush(session: Session, *args: object) -> None:
    raise WriteInReadScopeError("objects added or changed in read_scope: use session_scope()")


event.listen(_ReadSession, "do_orm_execute", _refuse_writes)
event.listen(_ReadSession, "before_flush", _refuse_flush)


@lru_cache(maxsize=4)
def _autocommit_engine_for(url: str) -> AsyncEngine:
    # The same pool; each connection in autocommit while it is out, back to transactions
    # when returned (a client-side switch in psycopg: no round trip).
    return _engine_for(url).execution_options(isolation_level="AUTOCOMMIT")


@lru_cache(maxsize=4)
def _read_sessionmaker_for(url: str) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        _autocommit_engine_for(url),
        class_=AsyncSession,
        sync_session_class=_ReadSession,
        expire_on_commit=False,
    )


@asynccontextmanager
async def read_scope() -> AsyncIterator[AsyncSession]:
    """A session for reads alone: its statements run without a transaction around them,
    which saves the BEGIN and COMMIT round trips of `session_scope` (most of a page's
    transactions only read: 244 of 265 in a shopper journey). Under READ COMMITTED each
    statement of a transaction reads its own snapshot anyway, so the answers are the
    same; what needs one snapshot, a lock (FOR UPDATE, advisory) or a write takes
    `session_scope`. A write through the session raises WriteInReadScopeError."""
    maker = _read_sessionmaker_for(get_settings().database_url)
    async with maker() as session:
        yield session


async def execute_alone(statement: Executable) -> int:
    """Run one statement without BEGIN and COMMIT around it (PostgreSQL makes a single
    statement atomic on its own) and return how many rows it touched. For bookkeeping
    that is one statement and nothing more, such as marking an event's delivery done (13
    per order in the worker), where a transaction costs two round trips of three."""
    async with _autocommit_engine_for(get_settings().database_url).connect() as connection:
        return (await connection.execute(statement)).rowcount


async def dispose_engine() -> None:
    """Close pooled connections (end of a worker, or between test event loops)."""
    await get_engine().dispose()


def forget_engine() -> None:
    """Drop (without closing) the cached engine: for code that starts a new event loop,
    whose connections must not be shared with the old one."""
    _engine_for.cache_clear()
    _sessionmaker_for.cache_clear()
    _read_sessionmaker_for.cache_clear()
    _autocommit_engine_for.cache_clear()
