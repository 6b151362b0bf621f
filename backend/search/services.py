"""Writes to the search index. Only the worker calls these (one writer at a time).

The catalog is read inside the writer lock, so of two overlapping writes the later one
always writes the later state of a product. Whoosh blocks, so it runs in threads.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from backend.catalog import queries as catalog
from backend.search import storage
from backend.search.schemas import RebuildResult, SyncResult
from backend.search.writing import GenerationBuilder, apply_changes

BATCH_SIZE = 1000
# A sync waits this long for a rebuild to finish before giving up (the event is retried).
SYNC_LOCK_TIMEOUT = 30.0
REBUILD_LOCK_TIMEOUT = 120.0

Progress = Callable[[int, int], None]  # (products read, products in the catalog)


@asynccontextmanager
async def _writer_lock(root: Path, *, wait_seconds: float) -> AsyncIterator[None]:
    lock = await asyncio.to_thread(storage.acquire_writer_lock, root, timeout=wait_seconds)
    try:
        yield
    finally:
        lock.release()


async def sync_products(product_ids: Iterable[uuid.UUID]) -> SyncResult:
    """Bring these products up to date in the index (the ProductChanged handler).

    Active products are (re)indexed; inactive and deleted ones are removed. Safe to run
    twice. Without an index (none built yet) it does nothing: whoever builds one reads
    the catalog as it is then (`ensure_index`, `rebuild_index`). Raises
    SearchIndexBusyError when a rebuild holds the index for longer than 30 s."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return SyncResult(indexed=0, removed=0)
    root = storage.index_root()
    async with _writer_lock(root, wait_seconds=SYNC_LOCK_TIMEOUT):
        index = await asyncio.to_thread(storage.open_current, root)
        if index is None:
            return SyncResult(indexed=0, removed=0, no_index=True)
        indexed = removed = 0
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            documents = await catalog.list_search_documents(chunk, limit=len(chunk))
            result = await asyncio.to_thread(apply_changes, index, chunk, documents)
            indexed += result.indexed
            removed += result.removed
    return SyncResult(indexed=indexed, removed=removed)


async def rebuild_index(progress: Progress | None = None) -> RebuildResult:
    """Index the whole catalog into a fresh generation and switch readers to it at once.

    Reads the catalog in id order, BATCH_SIZE products at a time; `progress(read, total)`
    is called after each batch."""
    root = storage.index_root()
    async with _writer_lock(root, wait_seconds=REBUILD_LOCK_TIMEOUT):
        return await _rebuild(root, progress)


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
