"""One refresh at a time of a process-wide cache, per event loop.

When a cached value's second runs out, every request in flight would read it afresh at
once (issue #24's API profile: under 16 clients, 6 % of a web process's CPU went to the
store settings read that many times a second). The first one reads; the others wait for
its lock and then find the value it cached. A lock belongs to one event loop, so each
loop (tests run several) has its own.
"""

from __future__ import annotations

import asyncio
import weakref


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
