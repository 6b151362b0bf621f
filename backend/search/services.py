"""Writes to the search index. Only the worker calls these (one writer at a time).

The catalog is read inside the writer lock, so of two overlapping writes the later one
always writes the later state of a product. Whoosh blocks, so it runs in threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from backend.catalog import queries as catalog
from backend.core.redis import get_redis
from backend.search import storage
from backend.search.errors import SearchIndexBusyError
from backend.search.schemas import RebuildResult, SyncResult
from backend.search.writing import GenerationBuilder, apply_changes

BATCH_SIZE = 1000
# How long a sync tries for the writer lock before leaving its products to the holder.
PENDING_LOCK_WAIT = 0.5
REBUILD_LOCK_TIMEOUT = 120.0

Progress = Callable[[int, int], None]  # (products read, products in the catalog)


@asynccontextmanager
async def _writer_lock(root: Path, *, wait_seconds: float) -> AsyncIterator[None]:
    lock = await asyncio.to_thread(storage.acquire_writer_lock, root, timeout=wait_seconds)
    try:
        yield
    finally:
        lock.release()


def _pending_key(root: Path) -> str:
    """The Redis set of product ids waiting to be written into the index at `root`."""
    return "search:pending:" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


async def sync_products(product_ids: Iterable[uuid.UUID]) -> SyncResult:
    """Bring these products up to date in the index (the ProductChanged handlers).

    Active products are (re)indexed; inactive and deleted ones are removed. Safe to run
    twice. The ids join a pending set in Redis; whoever holds the writer lock writes the
    whole set, in batches. If another writer holds it, this returns at once (`queued`):
    that writer checks the set again after releasing the lock, so nothing waits behind a
    lock in a worker slot and nothing is left behind. Without an index (none built yet)
    nothing is written: whoever builds one reads the catalog as it is then."""
    ids = list(dict.fromkeys(str(product_id) for product_id in product_ids))
    if not ids:
        return SyncResult(indexed=0, removed=0)
    root = storage.index_root()
    await get_redis().sadd(_pending_key(root), *ids)  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    return await _write_pending(root)


async def _write_pending(root: Path) -> SyncResult:
    redis, key = get_redis(), _pending_key(root)
    indexed = removed = 0
    no_index = False
    while await redis.scard(key):  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
        try:
            lock = await asyncio.to_thread(
                storage.acquire_writer_lock, root, timeout=PENDING_LOCK_WAIT
            )
        except SearchIndexBusyError:
            # The holder re-checks the set after it releases the lock (the loop above).
            return SyncResult(indexed=indexed, removed=removed, queued=True)
        try:
            index = await asyncio.to_thread(storage.open_current, root)
            while batch := await redis.srandmember(key, BATCH_SIZE):  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
                if index is None:
                    no_index = True
                else:
                    chunk = [uuid.UUID(value) for value in batch]
                    documents = await catalog.list_search_documents(chunk, limit=len(chunk))
                    result = await asyncio.to_thread(apply_changes, index, chunk, documents)
                    indexed += result.indexed
                    removed += result.removed
                # Taken off only once written: a crash leaves them for the next writer.
                await redis.srem(key, *batch)  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
        finally:
            lock.release()
    return SyncResult(indexed=indexed, removed=removed, no_index=no_index)


async def rebuild_index(progress: Progress | None = None) -> RebuildResult:
    """Index the whole catalog into a fresh generation and switch readers to it at once.

    Reads the catalog in id order, BATCH_SIZE products at a time; `progress(read, total)`
    is called after each batch."""
    root = storage.index_root()
    async with _writer_lock(root, wait_seconds=REBUILD_LOCK_TIMEOUT):
        result = await _rebuild(root, progress)
    await _write_pending(root)  # changes queued while the rebuild held the lock
    return result


async def ensure_index() -> bool:
    """Build the index if there is none (a fresh install) or it was built with other
    fields (an upgrade): for the worker's start-up, as it can take longer than a job may
    (about 30 s per 20,000 products). True if built."""
    root = storage.index_root()

    def usable() -> bool:
        generation = storage.current_generation(root)
        return generation is not None and storage.matches_schema(generation)

    if usable():
        return False
    async with _writer_lock(root, wait_seconds=REBUILD_LOCK_TIMEOUT):
        if usable():
            return False  # another process built it while we waited
        await _rebuild(root, None)
    await _write_pending(root)
    return True


async def _rebuild(root: Path, progress: Progress | None) -> RebuildResult:
    started = time.perf_counter()
    total = (await catalog.get_catalog_counts()).products
    builder = await asyncio.to_thread(GenerationBuilder, root)
    read = 0
    try:
        after_id: uuid.UUID | None = None
        while True:
            batch = await catalog.list_search_documents(after_id=after_id, limit=BATCH_SIZE)
            if not batch:
                break
            await asyncio.to_thread(builder.add, batch)
            read += len(batch)
            after_id = batch[-1].id
            if progress is not None:
                progress(read, max(total, read))
            if len(batch) < BATCH_SIZE:
                break
        await asyncio.to_thread(builder.publish)
    except BaseException:
        builder.discard()
        raise
    return RebuildResult(read=read, indexed=builder.indexed, seconds=time.perf_counter() - started)
