"""Catalog reads cached in Redis, invalidated on every product change.

One version number covers all listings, so any change invalidates them at once (simple
and never stale); product pages are cached per product. Writers bump both right after
their commit, and the worker does it again on `ProductChanged` (in case Redis was
unreachable at commit time). Cache failures never fail a page: it reads the database.
"""

from __future__ import annotations

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


def _product_key(product_ref: str) -> str:
    return f"catalog:product:{product_ref}"


async def cached(
    key_parts: dict[str, Any],
    load: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    product_ref: str | None = None,
) -> T:
    """`load()` through the cache. `product_ref` keys a product page, otherwise a listing."""
    redis = get_redis()
    try:
        if product_ref is not None:
            key = _product_key(product_ref)
        else:
            version = await redis.get(VERSION_KEY) or "0"
            digest = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str).encode())
            key = f"catalog:list:{version}:{digest.hexdigest()[:32]}"
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


async def invalidate(*product_refs: str) -> None:
    """Forget every listing and the given products' pages (ids and slugs)."""
    try:
        redis = get_redis()
        await redis.incr(VERSION_KEY)
        if product_refs:
            await redis.delete(*(_product_key(ref) for ref in product_refs))
    except RedisError as error:
        logger.warning("catalog cache not invalidated (the worker will retry): %s", error)
        raise
