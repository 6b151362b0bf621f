"""One cached Whoosh searcher per process, refreshed cheaply when the worker writes.

Before each use it checks the CURRENT pointer (a tiny file read) and the generation's
table of contents (a directory listing): unchanged, the same searcher serves again; new
segments, `Searcher.refresh()` reopens only those; a new generation (a rebuild), a new
searcher. Whoosh is pure Python, so under the GIL one searcher used under a lock serves
about as many queries per second as several would.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from backend.search import storage

logger = logging.getLogger(__name__)


class SearcherCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: Path | None = None
        self._searcher: Searcher | None = None

    @contextmanager
    def use(self) -> Iterator[Searcher | None]:
        """The up-to-date searcher, for this thread alone until the block ends; None
        while no index has been built."""
        with self._lock:
            yield self._fresh()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _fresh(self) -> Searcher | None:
        for attempt in (1, 2):
            try:
                return self._refreshed()
            except (OSError, whoosh_index.IndexError, ReaderClosed) as error:
                # A rebuild or merge removed files between our look and our open, or a
                # refresh met segment readers an earlier refresh had already closed: start
                # from a fresh searcher.
                self._close()
                if attempt == 2:
                    logger.warning("search index unreadable: %s", error)
        return None

    def _refreshed(self) -> Searcher | None:
        generation = storage.current_generation(storage.index_root())
        if generation != self._generation or self._searcher is None:
            self._close()
            if generation is None:
                return None
            self._searcher = whoosh_index.open_dir(str(generation)).searcher()
            self._generation = generation
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def _close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(ReaderClosed):  # some of its readers already were
                self._searcher.close()
        self._searcher = None
        self._generation = None


searchers = SearcherCache()
