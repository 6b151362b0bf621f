"""Catalog reads cached in Redis, invalidated on every product change.

One version number is part of every key, so any change invalidates every cached listing
and product page at once: simple, and never stale. Writers bump it right after their
commit, and the worker does it again on `ProductChanged` (in case Redis was unreachable
at commit time). Cache failures never fail a page: it reads the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from backend.core.redis import get_redis
from backend.observability import metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "catalog:version"
TTL_SECONDS = 300


# The version and the entry it keys, in one round trip (GET of a missing key is false
# in Lua, which comes back as None).
_LOOKUP_SCRIPT = """
local version = redis.call('GET', KEYS[1]) or '0'
local key = 'catalog:' .. version .. ':' .. ARGV[1]
return {key, redis.call('GET', key)}
"""


def _digest(key_parts: dict[str, Any]) -> str:
    encoded = json.dumps(key_parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


@lru_cache(maxsize=4)
def _lookup_script(client: Redis) -> AsyncScript:
    return client.register_script(_LOOKUP_SCRIPT)  # once per client, not per request


async def _lookup(key_parts: dict[str, Any]) -> tuple[str, str | None]:
    """The entry's key under the current catalog version, and the entry if cached."""
    lookup = _lookup_script(get_redis())
    key, hit = await lookup(keys=[VERSION_KEY], args=[_digest(key_parts)])
    metrics.CACHE_REQUESTS.labels("catalog", "miss" if hit is None else "hit").inc()
    return key, hit


async def _store(key: str, text: str) -> None:
    try:
        await get_redis().set(key, text, ex=TTL_SECONDS)
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)


async def cached_text(key_parts: dict[str, Any], render: Callable[[], Awaitable[str]]) -> str:
    """`render()` through the cache: for answers kept exactly as they are sent (an API
    response body), so a hit costs one Redis round trip and no decoding at all."""
    try:
        key, hit = await _lookup(key_parts)
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)
        return await render()
    if hit is not None:
        return hit
    text = await render()
    await _store(key, text)
    return text


async def cached(
    key_parts: dict[str, Any],
    load: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """`load()` through the cache, keyed by `key_parts` and the catalog version."""
    try:
        key, hit = await _lookup(key_parts)
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)
        return await load()
    if hit is not None:
        return decode(json.loads(hit))
    value = await load()
    await _store(key, json.dumps(encode(value), default=str))
    return value


async def invalidate() -> None:
    """Forget every cached listing and product page (old keys expire on their own)."""
    try:
        await get_redis().incr(VERSION_KEY)
    except RedisError as error:
        logger.warning("catalog cache not invalidated (the worker will retry): %s", error)
        raise


async def invalidate_after_commit() -> None:
    """`invalidate` for writers right after their commit: if Redis is away, the worker's
    handler of the change's event (ProductChanged, InventoryUpdated) does it later."""
    with contextlib.suppress(RedisError):
        await invalidate()
