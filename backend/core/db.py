"""Database engine and sessions.

Services are async: the Reflex event loop, the API and the arq worker all run on
asyncio, and a blocking database call there would stall every other user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.settings import get_settings


@lru_cache(maxsize=4)
def _engine_for(url: str) -> AsyncEngine:
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def get_engine() -> AsyncEngine:
    return _engine_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _sessionmaker_for(url: str) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(_engine_for(url), class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """One session, one transaction: committed on success, rolled back on any error."""
    maker = _sessionmaker_for(get_settings().database_url)
    async with maker() as session, session.begin():
        yield session


async def dispose_engine() -> None:
    """Close pooled connections (end of a worker, or between test event loops)."""
    await get_engine().dispose()


def forget_engine() -> None:
    """Drop (without closing) the cached engine: for code that starts a new event loop,
    whose connections must not be shared with the old one."""
    _engine_for.cache_clear()
    _sessionmaker_for.cache_clear()
