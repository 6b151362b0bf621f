"""Rate limits in Redis (the `limits` library), shared by every process.

A limit counts in a moving window (exact: a timestamp per attempt, so checking one costs
Redis work in proportion to the limit), or, when `approximate`, in a sliding window
counter (two counters per key, the previous window's weighted by how much of it still
overlaps: a constant cost, a little lenient at a window's edge). Limits on guessing and
sign-ins are exact; the API's per-request limits, checked on every request and large
(hundreds a minute), are approximate (issue #24: a fifth less Redis CPU per request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

from limits import RateLimitItem, WindowStats, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from redis.asyncio import Redis

from backend.core.redis import get_redis
from backend.settings import get_settings


@dataclass(frozen=True)
class RateLimit:
    """A named limit such as `RateLimit("sign-in-ip", "30/10 minutes")`."""

    name: str
    rule: str
    approximate: bool = False  # a sliding window counter instead of a moving window

    @cached_property
    def item(self) -> RateLimitItem:
        return parse(self.rule)  # parsed once: limits are checked on every API request


@lru_cache(maxsize=4)
def _limiters_for(client: Redis) -> tuple[MovingWindowRateLimiter, SlidingWindowCounterRateLimiter]:
    # Shares the app's Redis connection pool, so it lives and closes with it.
    storage = RedisStorage(
        "async+" + get_settings().redis_url,
        implementation="redispy",
        key_prefix="shop-limits",
        connection_pool=client.connection_pool,  # type: ignore[arg-type]  # limits types **options as scalars, yet passes them on to redis-py
    )
    return MovingWindowRateLimiter(storage), SlidingWindowCounterRateLimiter(storage)


def _limiter(limit: RateLimit) -> RateLimiter:
    exact, approximate = _limiters_for(get_redis())
    return approximate if limit.approximate else exact


async def hit(limit: RateLimit, key: str) -> bool:
    """Count one attempt; False if it goes over the limit (the attempt is refused)."""
    return await _limiter(limit).hit(limit.item, limit.name, key)


async def allows(limit: RateLimit, key: str) -> bool:
    """Whether one more attempt would be allowed, without counting one."""
    return await _limiter(limit).test(limit.item, limit.name, key)


async def window_stats(limit: RateLimit, key: str) -> WindowStats:
    """What is left in the window, and when one more attempt is allowed again (a moving
    window's oldest entry expires)."""
    return await _limiter(limit).get_window_stats(limit.item, limit.name, key)


async def seconds_until_allowed(limit: RateLimit, key: str) -> int:
    stats = await window_stats(limit, key)
    return max(1, int(stats.reset_time - time.time()))


async def reset(limit: RateLimit, key: str) -> None:
    await _limiter(limit).clear(limit.item, limit.name, key)
