"""One refresh at a time of a process-wide cache, per event loop; and such a cache
(`FreshCache`) for what many requests read and a merchant rarely changes.

When a cached value's second runs out, every request in flight would read it afresh at
once (issue #24's API profile: under 16 clients, 6 % of a web process's CPU went to the
store settings read that many times a second). The first one reads; the others wait for
its lock and then find the value it cached. A lock belongs to one event loop, so each
loop (tests run several) has its own.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar, cast

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING: Any = object()


class RefreshLock:
    """`async with lock(): ...` — the lock of the running event loop."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock


class FreshCache(Generic[K, V]):
    """Values read at most once per `seconds` per key in this process, one read at a time
    (a `RefreshLock`), for what many requests ask for and a merchant rarely changes. A
    change in this process calls `forget()`, so it applies at once here and within
    `seconds` in every other process; a read begun before a `forget()` is not kept."""

    def __init__(self, *, seconds: float, maxsize: int = 1) -> None:
        self._values: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=seconds, timer=time.monotonic)
        self._lock = RefreshLock()
        self._forgotten = 0

    async def get(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """The value cached for `key`, else what `read()` gives (and is kept)."""
        # One lookup each time: a value may run out between a test and a lookup.
        if (cached := self._values.get(key, _MISSING)) is not _MISSING:
            return cast(V, cached)
        async with self._lock():
            if (cached := self._values.get(key, _MISSING)) is not _MISSING:
                return cast(V, cached)  # read by the request this one waited for
            forgotten = self._forgotten
            value = await read()
            if forgotten == self._forgotten:
                self._values[key] = value
            return value

    def forget(self) -> None:
        """After a change in this process: the next read sees it at once."""
        self._forgotten += 1
        self._values.clear()
