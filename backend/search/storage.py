"""Where the index lives: generations, the pointer to the current one, the writer lock.

    <SEARCH_INDEX_DIR>/
        CURRENT              the name of the generation readers use
        WRITER.lock          held by whoever writes (one writer at a time, any process)
        gen-<time>-<random>/ a complete Whoosh index

A rebuild fills a new generation while readers keep using the current one, then
replaces CURRENT in one atomic rename: readers never see a half-built or empty index.
The previous generation is kept (a reader may still be on it); older ones are removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.util.filelock import LockBase, try_for

from backend.search.documents import SCHEMA
from backend.search.errors import SearchIndexBusyError
from backend.settings import get_settings

POINTER = "CURRENT"
WRITER_LOCK = "WRITER.lock"
GENERATION_PREFIX = "gen-"
LOCK_RETRY_SECONDS = 0.05


def index_root() -> Path:
    return get_settings().search_index_dir


def current_generation(root: Path) -> Path | None:
    """The folder of the current index, or None when none was published yet."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(GENERATION_PREFIX) or Path(name).name != name:
        return None
    path = root / name
    return path if path.is_dir() else None


def matches_schema(generation: Path) -> bool:
    """Whether the index in `generation` has this code's fields (an upgrade that changes
    them needs a rebuild before searches find anything)."""
    try:
        stored = whoosh_index.open_dir(str(generation)).schema
    except (OSError, whoosh_index.IndexError):
        return False
    return sorted(stored.names()) == sorted(SCHEMA.names())


def open_current(root: Path) -> FileIndex | None:
    generation = current_generation(root)
    if generation is None:
        return None
    return whoosh_index.open_dir(str(generation))


def new_generation(root: Path) -> tuple[Path, FileIndex]:
    """An empty index in a fresh folder, invisible to readers until `publish`ed."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = root / f"{GENERATION_PREFIX}{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path, whoosh_index.create_in(str(path), SCHEMA)


def publish(root: Path, generation: Path) -> None:
    """Make `generation` the current index (atomically), then drop older generations.

    Call with the writer lock held."""
    previous = current_generation(root)
    temporary = root / f"{POINTER}.{os.getpid()}.tmp"
    with temporary.open("w", encoding="utf-8") as pointer:
        pointer.write(generation.name)
        pointer.flush()
        os.fsync(pointer.fileno())
    temporary.replace(root / POINTER)
    _sync_folder(root)
    keep = {generation.name} | ({previous.name} if previous else set())
    for path in root.iterdir():
        if path.name.startswith(GENERATION_PREFIX) and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def discard(generation: Path) -> None:
    shutil.rmtree(generation, ignore_errors=True)


def acquire_writer_lock(root: Path, *, timeout: float) -> LockBase:
    """The one-writer-at-a-time lock (an OS file lock: released if the process dies).

    Blocks up to `timeout` seconds; raises SearchIndexBusyError after that."""
    root.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(root)).lock(WRITER_LOCK)
    if not try_for(lock.acquire, timeout=timeout, delay=LOCK_RETRY_SECONDS):
        raise SearchIndexBusyError(
            "The search index is being written by another process; try again shortly.",
            timeout=timeout,
        )
    return lock


def _sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
