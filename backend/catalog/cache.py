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
from typing import Any, TypeVar

from redis.exceptions import RedisError

from backend.core.redis import get_redis

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "catalog:version"
TTL_SECONDS = 300


async def cached(
    key_parts: dict[str, Any],
    load: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """`load()` through the cache, keyed by `key_parts` and the catalog version."""
    redis = get_redis()
    try:
        version = await redis.get(VERSION_KEY) or "0"
        digest = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str).encode())
        key = f"catalog:{version}:{digest.hexdigest()[:32]}"
        hit = await redis.get(key)
        if hit is not None:
            return decode(json.loads(hit))
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)
        return await load()
    value = await load()
    try:
        await redis.set(key, json.dumps(encode(value), default=str), ex=TTL_SECONDS)
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)
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
