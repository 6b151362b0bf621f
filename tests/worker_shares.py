"""How pytest-xdist shares the tests between workers with `--dist load` (what `-n` uses).

xdist's own `load` hands out tests in chunks of the collected order, and may split a test
file between two workers. Here a chunk is extended to the end of the run of consecutive
tests from one file, so that:

- a module-scoped fixture starts once, not on each worker (the Stripe tests' second shop
  and the fault drills' cluster each build a frontend of their own);
- each worker still runs its tests in the collected order (`tests/conftest.py` sorts them:
  tiers fastest first, and within a tier the tests that need the running shop after those
  that run a job worker of their own), so every worker keeps the order a single process
  has, with a running shop, database and Redis database of its own.

Tests are handed out by their index in the collection, never by their id: schemathesis
gives all the cases of a test one id, and keying by id ran 1 in 38 of them
(xdist's `loadfile` and `loadgroup` do).
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScheduling
from xdist.workermanage import WorkerController


def _test_file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class FileRunScheduling(LoadScheduling):
    def _send_tests(self, node: WorkerController, num: int) -> None:
        if self.pending and self.collection is not None and num > 0:
            count = min(num, len(self.pending))
            last_file = _test_file(self.collection[self.pending[count - 1]])
            while (
                count < len(self.pending)
                and _test_file(self.collection[self.pending[count]]) == last_file
            ):
                count += 1
            num = count
        super()._send_tests(node, num)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScheduling | None:
    if config.getoption("dist") == "load":
        return FileRunScheduling(config, log)
    return None
