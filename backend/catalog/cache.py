"""Catalog reads cached in Redis, invalidated on every product change.

A version number is part of every key, so a change invalidates every cached listing and
product page at once: simple, and never stale. Writers bump it right after their commit,
and the worker does it again on `ProductChanged` (in case Redis was unreachable at commit
time). Cache failures never fail a page: it reads the database.

Stock has two versions, because orders change it all the time and shoppers rarely see the
difference: 1,000 left or 999 both read "In stock". `catalog:version` moves with every
change shoppers can see (`stock_change_shown`: the label, the in-stock filters, the
quantities offered) and `catalog:stock-version` with every stock change. Pages are keyed by
the first, so an order that leaves "In stock" as it was does not empty the cache for every
shopper; answers that show exact quantities (the API's listings, inside `exact_stock()`)
are keyed by both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
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
STOCK_VERSION_KEY = "catalog:stock-version"
TTL_SECONDS = 300

# Set inside `exact_stock()`: reads then key by every stock change too.
_exact_stock: ContextVar[bool] = ContextVar("catalog_exact_stock", default=False)


# The versions and the entry they key, in one round trip (GET of a missing key is false
# in Lua, which comes back as None). With a second key (the stock version), the entry is
# one of the exact-stock answers.
_LOOKUP_SCRIPT = """
local version = redis.call('GET', KEYS[1]) or '0'
if KEYS[2] then
    version = version .. '.' .. (redis.call('GET', KEYS[2]) or '0')
end
local key = 'catalog:' .. version .. ':' .. ARGV[1]
return {key, redis.call('GET', key)}
"""


@contextlib.contextmanager
def exact_stock() -> Iterator[None]:
    """Reads in this block (and what they call) show stock as it is after every change,
    not only after changes shoppers can see: for answers that give exact quantities."""
    token = _exact_stock.set(True)
    try:
        yield
    finally:
        _exact_stock.reset(token)


def _digest(key_parts: dict[str, Any]) -> str:
    encoded = json.dumps(key_parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


@lru_cache(maxsize=4)
def _lookup_script(client: Redis) -> AsyncScript:
    return client.register_script(_LOOKUP_SCRIPT)  # once per client, not per request


async def _lookup(key_parts: dict[str, Any]) -> tuple[str, str | None]:
    """The entry's key under the current catalog version, and the entry if cached."""
    lookup = _lookup_script(get_redis())
    versions = [VERSION_KEY, STOCK_VERSION_KEY] if _exact_stock.get() else [VERSION_KEY]
    key, hit = await lookup(keys=versions, args=[_digest(key_parts)])
    metrics.CACHE_REQUESTS.labels("catalog", "miss" if hit is None else "hit").inc()
    return key, hit


async def _store(key: str, text: str) -> None:
    try:
        await get_redis().set(key, text, ex=TTL_SECONDS)
    except RedisError as error:
        logger.warning("catalog cache unavailable: %s", error)


async def cached_text(key_parts: dict[str, Any], render: Callable[[], Awaitable[str]]) -> str:
    """`render()` through the cache: for answers kept exactly as they are sent (an API
    response body), so a hit costs one Redis round trip and no decoding at all. They show
    exact stock quantities, so they and the reads rendering them follow every change."""
    with exact_stock():
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


async def stock_moved(*, shown: bool) -> None:
    """Stock changed: exact-stock answers are forgotten; pages too when `shown`
    (`schemas.stock_change_shown` of any variant or product the change touched)."""
    try:
        async with get_redis().pipeline(transaction=False) as pipeline:
            pipeline.incr(STOCK_VERSION_KEY)
            if shown:
                pipeline.incr(VERSION_KEY)
            await pipeline.execute()
    except RedisError as error:
        logger.warning("catalog cache not invalidated (the worker will retry): %s", error)
        raise


async def stock_moved_after_commit(*, shown: bool) -> None:
    """`stock_moved` right after the commit; the worker's InventoryUpdated handler does
    it again if Redis is away now."""
    with contextlib.suppress(RedisError):
        await stock_moved(shown=shown)
