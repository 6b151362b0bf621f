"""Sessions and pooled connections (`backend/core/db.py`). The pool asks PostgreSQL whether
a pooled connection is alive only when it sat idle: none of the round trips in a busy
process, and a connection the server dropped meanwhile is replaced before anyone uses it.
`read_scope` reads without BEGIN and COMMIT around the statements, refuses writes and row
locks, and hands its connections back in transaction mode for `session_scope`;
`execute_alone` sends one statement with neither."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product
from backend.core import db
from backend.core.db import (
    WriteInReadScopeError,
    execute_alone,
    get_engine,
    ping_connections_after_idling,
    read_scope,
    session_scope,
)
from backend.settings import get_settings
from backend.shop_settings.models import ShopSettings
from tests.fixtures.catalog import MakeProduct

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
    engine = get_engine()
    async with contextlib.AsyncExitStack() as stack:  # a burst leaves 4 connections pooled
        for _ in range(4):
            await stack.enter_async_context(engine.connect())
    await asyncio.sleep(db.PING_CONNECTIONS_IDLE_FOR_SECONDS + 0.1)
    pings = _count_pings(monkeypatch, engine)

    await _backend_pid(engine)
    assert len(pings) == 1  # it sat idle: asked first

    for _ in range(5):
        await _backend_pid(engine)
    # Each reuse took the connection handed back a moment before, not one of the idle ones.
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


async def _transaction_status(session: AsyncSession) -> TransactionStatus:
    connection = await (await session.connection()).get_raw_connection()
    return connection.driver_connection.info.transaction_status  # type: ignore[union-attr]


async def test_a_read_scope_reads_outside_a_transaction_and_gives_its_connection_back_in_one() -> (
    None
):
    # Every pooled connection serves each kind of session in turn.
    for _ in range(12):
        async with read_scope() as session:
            name = (await session.exec(select(ShopSettings.shop_name))).first()
            read_status = await _transaction_status(session)
        async with session_scope() as session:
            await session.exec(select(ShopSettings.shop_name))
            write_status = await _transaction_status(session)

        assert name  # what the read gave
        assert read_status == TransactionStatus.IDLE  # no BEGIN, no COMMIT to send
        assert write_status == TransactionStatus.INTRANS  # the transaction is back


async def test_a_read_scope_refuses_writes_and_row_locks_and_nothing_is_written() -> None:
    async with read_scope() as session:
        before = (await session.exec(select(ShopSettings))).one()

        with pytest.raises(WriteInReadScopeError):
            await session.exec(update(ShopSettings).values(shop_name="Written by a read"))
        with pytest.raises(WriteInReadScopeError):
            await session.exec(select(ShopSettings).with_for_update())
        before.shop_name = "Flushed by a read"
        session.add(before)
        with pytest.raises(WriteInReadScopeError):
            await session.flush()

    async with session_scope() as session:
        names = (await session.exec(select(ShopSettings.shop_name))).all()
    assert "Written by a read" not in names
    assert "Flushed by a read" not in names


# In a transaction now() is when BEGIN ran, a round trip before the statement's own time.
_ON_ITS_OWN = text("SELECT 1 WHERE now() = statement_timestamp()")


async def test_a_statement_executed_alone_runs_outside_a_transaction_and_writes(
    make_product: MakeProduct,
) -> None:
    # A product of the test's own: the shop settings row is read by tests running beside.
    product_id = await make_product()
    renamed = update(Product).where(col(Product.id) == product_id).values(name="Written alone")
    async with session_scope() as session:
        in_a_transaction = (await session.exec(_ON_ITS_OWN)).all()  # type: ignore[call-overload]

    alone = await execute_alone(_ON_ITS_OWN)
    written = await execute_alone(renamed)
    async with read_scope() as session:
        after = (await session.exec(select(Product.name).where(Product.id == product_id))).one()
    async with session_scope() as session:  # the connection is back in transaction mode
        await session.exec(select(ShopSettings.shop_name))
        status = await _transaction_status(session)

    assert (in_a_transaction, alone) == ([], 1)
    assert (written, after) == (1, "Written alone")
    assert status == TransactionStatus.INTRANS
