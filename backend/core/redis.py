"""The shared Redis client (cache, carts, rate limits, worker heartbeat)."""

from __future__ import annotations

from functools import lru_cache

from redis.asyncio import Redis

from backend.settings import get_settings


@lru_cache(maxsize=4)
def _client_for(url: str) -> Redis:
    return Redis.from_url(url, decode_responses=True, health_check_interval=30)


def get_redis() -> Redis:
    return _client_for(get_settings().redis_url)


async def close_redis() -> None:
    await get_redis().aclose()
    _client_for.cache_clear()


def forget_redis() -> None:
    """Drop (without closing) the cached client: for code that starts a new event loop."""
    _client_for.cache_clear()
