"""Blocking writes to the index (run them in a thread): a new generation, or changes.

Callers hold the writer lock (`storage.acquire_writer_lock`); `services` does that.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

from whoosh.index import FileIndex

from backend.catalog.schemas import SearchDocument
from backend.search import storage
from backend.search.documents import index_fields
from backend.search.schemas import SyncResult

# Memory for the segment being built; Whoosh spills to disk beyond it.
BUILD_MEMORY_MB = 256
# The index's own Whoosh lock is free while we hold the writer lock; waiting briefly only
# covers a tool that opened a Whoosh writer directly.
WHOOSH_LOCK_TIMEOUT = 5.0


class GenerationBuilder:
    """A fresh generation, filled in batches, then published in one step (or discarded)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path, index = storage.new_generation(root)
        self._writer = index.writer(limitmb=BUILD_MEMORY_MB)
        # A cancelled caller may discard while a thread still adds or publishes: wait
        # for it, and never discard what was published.
        self._busy = threading.Lock()
        self.published = False
        self.indexed = 0

    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Index the active ones among `documents`; returns how many."""
        added = 0
        with self._busy:
            for document in documents:
                if document.is_active:
                    self._writer.add_document(**index_fields(document))
                    added += 1
            self.indexed += added
        return added

    def publish(self) -> None:
        with self._busy:
            self._writer.commit()
            storage.publish(self.root, self.path)
            self.published = True

    def discard(self) -> None:
        with self._busy:
            if self.published:
                return
            try:
                self._writer.cancel()
            finally:
                storage.discard(self.path)


def apply_changes(
    index: FileIndex, product_ids: list[uuid.UUID], documents: list[SearchDocument]
) -> SyncResult:
    """Make the index agree with `documents` for exactly `product_ids`: active products
    are (re)written, inactive and missing (deleted) ones are removed. One commit."""
    by_id = {document.id: document for document in documents}
    indexed = removed = 0
    writer = index.writer(timeout=WHOOSH_LOCK_TIMEOUT, delay=storage.LOCK_RETRY_SECONDS)
    try:
        for product_id in product_ids:
            document = by_id.get(product_id)
            if document is not None and document.is_active:
                writer.update_document(**index_fields(document))
                indexed += 1
            else:
                writer.delete_by_term("id", str(product_id))
                removed += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return SyncResult(indexed=indexed, removed=removed)
