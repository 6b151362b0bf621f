"""Rate limits in Redis (the `limits` library, moving windows), shared by every process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

from limits import RateLimitItem, WindowStats, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from backend.core.redis import get_redis
from backend.settings import get_settings


@dataclass(frozen=True)
class RateLimit:
    """A named limit such as `RateLimit("sign-in-ip", "30/10 minutes")`."""

    name: str
    rule: str

    @cached_property
    def item(self) -> RateLimitItem:
        return parse(self.rule)  # parsed once: limits are checked on every API request


@lru_cache(maxsize=4)
def _limiter_for(client: Redis) -> MovingWindowRateLimiter:
    # Shares the app's Redis connection pool, so it lives and closes with it.
    storage = RedisStorage(
        "async+" + get_settings().redis_url,
        implementation="redispy",
        key_prefix="shop-limits",
        connection_pool=client.connection_pool,  # type: ignore[arg-type]  # limits types **options as scalars, yet passes them on to redis-py
    )
    return MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return _limiter_for(get_redis())


async def hit(limit: RateLimit, key: str) -> bool:
    """Count one attempt; False if it goes over the limit (the attempt is refused)."""
    return await _limiter().hit(limit.item, limit.name, key)


async def allows(limit: RateLimit, key: str) -> bool:
    """Whether one more attempt would be allowed, without counting one."""
    return await _limiter().test(limit.item, limit.name, key)


async def window_stats(limit: RateLimit, key: str) -> WindowStats:
    """What is left in the moving window, and when its oldest entry expires."""
    return await _limiter().get_window_stats(limit.item, limit.name, key)


async def seconds_until_allowed(limit: RateLimit, key: str) -> int:
    stats = await window_stats(limit, key)
    return max(1, int(stats.reset_time - time.time()))


async def reset(limit: RateLimit, key: str) -> None:
    await _limiter().clear(limit.item, limit.name, key)
