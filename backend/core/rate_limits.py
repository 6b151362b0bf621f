"""Rate limits in Redis (the `limits` library), shared by every process.

A limit counts in a moving window (exact: a timestamp per attempt, so checking one costs
Redis work in proportion to the limit), or, when `approximate`, in a sliding window
counter (two counters per key, the previous window's weighted by how much of it still
overlaps: a constant cost, a little lenient at a window's edge). Limits on guessing and
sign-ins are exact; the API's per-request limits, checked on every request and large
(hundreds a minute), are approximate (issue #24: a fifth less Redis CPU per request).

The API counts a request and reports what is left in one script call (`hit_reporting`):
the library needs two (count, then read the window), a Redis round trip and a script run
more on every API request.
"""

from __future__ import annotations

import math
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


# The library's acquire_sliding_window.lua (limits 5.8), on the library's own two keys,
# returning the window it counted in as well: {acquired, previous count, previous TTL
# (ms), current count, current TTL (ms)}, the latter two after this request is counted.
_ACQUIRE_AND_REPORT = """
local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2]) * 1000
local amount = tonumber(ARGV[3])

local current_ttl = tonumber(redis.call('pttl', KEYS[2]))
if current_ttl > 0 and current_ttl < expiry then
    -- the current window has ended: it becomes the previous one
    redis.call('rename', KEYS[2], KEYS[1])
    redis.call('set', KEYS[2], 0, 'PX', current_ttl + expiry)
end

local previous_count = tonumber(redis.call('get', KEYS[1])) or 0
local previous_ttl = math.max(0, tonumber(redis.call('pttl', KEYS[1])) or 0)
local current_count = tonumber(redis.call('get', KEYS[2])) or 0
current_ttl = math.max(0, tonumber(redis.call('pttl', KEYS[2])) or 0)

local weighted_count = math.floor(previous_count * previous_ttl / expiry) + current_count
if amount > limit or weighted_count + amount > limit then
    return {0, previous_count, previous_ttl, current_count, current_ttl}
end
if redis.call('exists', KEYS[2]) == 1 then
    current_count = redis.call('incrby', KEYS[2], amount)
else
    redis.call('set', KEYS[2], amount, 'PX', expiry * 2)
    current_count, current_ttl = amount, expiry * 2
end
return {1, previous_count, previous_ttl, current_count, current_ttl}
"""


class _ReportingSlidingWindowCounter(SlidingWindowCounterRateLimiter):
    """The library's sliding window counter, with a count-and-report in one script call."""

    def __init__(self, storage: RedisStorage, client: Redis) -> None:
        super().__init__(storage)
        self._redis_storage = storage  # typed as what it is (the base class keeps a union)
        self._acquire_and_report = client.register_script(_ACQUIRE_AND_REPORT)

    def _window_keys(self, key: str) -> list[str]:
        # The library's own names for the previous and current window's counters, so
        # `allows`, `window_stats` and `reset` read and clear the same ones.
        storage = self._redis_storage
        return [
            storage.bridge.prefixed_key(storage._previous_window_key(key)),
            storage.bridge.prefixed_key(storage._current_window_key(key)),
        ]

    async def hit_reporting(
        self, item: RateLimitItem, *identifiers: str
    ) -> tuple[bool, WindowStats]:
        """`hit`, and `get_window_stats` as it would read the window right after."""
        window = await self._acquire_and_report(
            self._window_keys(item.key_for(*identifiers)), [item.amount, item.get_expiry(), 1]
        )
        acquired, previous_count, previous_ttl_ms, current_count, current_ttl_ms = window
        stats = _sliding_window_stats(
            item, previous_count, previous_ttl_ms / 1000, current_count, current_ttl_ms / 1000
        )
        return bool(acquired), stats


def _sliding_window_stats(
    item: RateLimitItem,
    previous_count: int,
    previous_expires_in: float,
    current_count: int,
    current_expires_in: float,
) -> WindowStats:
    """What `SlidingWindowCounterRateLimiter.get_window_stats` makes of a window read."""
    expiry = item.get_expiry()
    weighted_count = previous_count * previous_expires_in / expiry + current_count
    remaining = max(0, item.amount - math.floor(weighted_count))
    now = time.time()
    if not (previous_count or current_count):
        return WindowStats(now, remaining)
    previous_reset_in = (
        previous_expires_in % (expiry / previous_count) if previous_count else math.inf
    )
    # A window's counter lives for two windows: what is left of the current one is its
    # TTL modulo one, and a whole window (not none) when it was set this very millisecond.
    current_reset_in = (current_expires_in % expiry or expiry) if current_count else math.inf
    return WindowStats(now + min(previous_reset_in, current_reset_in), remaining)


@lru_cache(maxsize=4)
def _limiters_for(client: Redis) -> tuple[MovingWindowRateLimiter, _ReportingSlidingWindowCounter]:
    # Shares the app's Redis connection pool, so it lives and closes with it.
    storage = RedisStorage(
        "async+" + get_settings().redis_url,
        implementation="redispy",
        key_prefix="shop-limits",
        connection_pool=client.connection_pool,  # type: ignore[arg-type]  # limits types **options as scalars, yet passes them on to redis-py
    )
    return MovingWindowRateLimiter(storage), _ReportingSlidingWindowCounter(storage, client)


def _limiter(limit: RateLimit) -> RateLimiter:
    exact, approximate = _limiters_for(get_redis())
    return approximate if limit.approximate else exact


async def hit(limit: RateLimit, key: str) -> bool:
    """Count one attempt; False if it goes over the limit (the attempt is refused)."""
    return await _limiter(limit).hit(limit.item, limit.name, key)


async def hit_reporting(limit: RateLimit, key: str) -> tuple[bool, WindowStats]:
    """`hit`, and then `window_stats`, in one Redis call when the limit is approximate."""
    exact, approximate = _limiters_for(get_redis())
    if limit.approximate:
        return await approximate.hit_reporting(limit.item, limit.name, key)
    return await exact.hit(limit.item, limit.name, key), await window_stats(limit, key)


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
