"""Rate limits in Redis: the API's count-and-report in one call keeps the `limits`
library's own counters, so it agrees with what the library reads and clears."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from backend.core import rate_limits
from backend.core.rate_limits import RateLimit


def _key() -> str:
    return f"test-{uuid.uuid4().hex}"


async def _agrees_with_the_library(
    limit: RateLimit, key: str, reported: rate_limits.WindowStats
) -> None:
    read = await rate_limits.window_stats(limit, key)
    assert reported.remaining == read.remaining
    # The library reads a counter set in this very millisecond as its window ending now,
    # and one a millisecond older as ending a whole window later: so may the two reads.
    apart = abs(reported.reset_time - read.reset_time)
    assert min(apart, abs(apart - limit.item.get_expiry())) < 0.5


@pytest.mark.parametrize("approximate", [True, False], ids=["sliding counter", "moving window"])
async def test_a_count_reports_what_is_left_as_the_library_reads_it(approximate: bool) -> None:
    limit, key = RateLimit("test-reporting", "3/minute", approximate=approximate), _key()
    verdicts = []
    for _ in range(4):
        allowed, stats = await rate_limits.hit_reporting(limit, key)
        verdicts.append((allowed, stats.remaining))
        await _agrees_with_the_library(limit, key, stats)

    assert verdicts == [(True, 2), (True, 1), (True, 0), (False, 0)]
    assert not await rate_limits.allows(limit, key)
    assert 1 <= await rate_limits.seconds_until_allowed(limit, key) <= 60


async def test_counts_from_the_library_and_from_the_report_add_up() -> None:
    limit, key = RateLimit("test-reporting", "4/minute", approximate=True), _key()
    assert await rate_limits.hit(limit, key)
    assert await rate_limits.hit(limit, key)

    allowed, stats = await rate_limits.hit_reporting(limit, key)

    assert allowed
    assert stats.remaining == 1
    assert await rate_limits.hit(limit, key)
    assert not await rate_limits.allows(limit, key)


async def test_a_reset_clears_what_the_report_counted() -> None:
    limit, key = RateLimit("test-reporting", "1/minute", approximate=True), _key()
    assert (await rate_limits.hit_reporting(limit, key))[0]
    assert not (await rate_limits.hit_reporting(limit, key))[0]

    await rate_limits.reset(limit, key)

    allowed, stats = await rate_limits.hit_reporting(limit, key)
    assert allowed
    assert stats.remaining == 0


async def test_the_next_window_lets_requests_in_again_weighted_by_the_last() -> None:
    limit, key = RateLimit("test-reporting", "3/second", approximate=True), _key()
    for _ in range(3):
        assert (await rate_limits.hit_reporting(limit, key))[0]
    assert not (await rate_limits.hit_reporting(limit, key))[0]

    await asyncio.sleep(1.2)

    # The last window's three still weigh about 3 × 0.8: one more fits, not two.
    allowed, stats = await rate_limits.hit_reporting(limit, key)
    assert allowed
    await _agrees_with_the_library(limit, key, stats)
    assert not (await rate_limits.hit_reporting(limit, key))[0]
