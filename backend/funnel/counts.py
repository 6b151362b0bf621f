"""The shopping funnel, recorded in Redis: product views → add to cart → checkout started →
paid, as unique visitors per day (HyperLogLog, about 12 KB per step and day, ±1 %), and
product views per day (a sorted set).

Recording costs one or two Redis commands and never fails a page: analytics are worth
less than the shopper's request.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from redis.exceptions import RedisError

from backend.core.clock import utcnow
from backend.core.redis import get_redis

logger = logging.getLogger(__name__)

RETENTION_DAYS = 400
MAX_RANGE_DAYS = 366


class FunnelStep(StrEnum):
    PRODUCT_VIEW = "product_view"
    ADD_TO_CART = "add_to_cart"
    CHECKOUT_STARTED = "checkout_started"
    PAID = "paid"


STEP_LABELS = {
    FunnelStep.PRODUCT_VIEW: "Viewed a product",
    FunnelStep.ADD_TO_CART: "Added to cart",
    FunnelStep.CHECKOUT_STARTED: "Started checkout",
    FunnelStep.PAID: "Paid",
}


def _step_key(step: FunnelStep, day: date) -> str:
    return f"funnel:{day.isoformat()}:{step.value}"


def _views_key(day: date) -> str:
    return f"funnel:{day.isoformat()}:views"


async def record(
    step: FunnelStep, visitor: str | None, product_id: uuid.UUID | None = None
) -> None:
    """Count `visitor` (a cart owner key: guest token or user) at `step` today."""
    if not visitor:
        return
    today = utcnow().date()
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.pfadd(_step_key(step, today), visitor)
            pipe.expire(_step_key(step, today), RETENTION_DAYS * 86400)
            if step is FunnelStep.PRODUCT_VIEW and product_id is not None:
                pipe.zincrby(_views_key(today), 1, str(product_id))
                pipe.expire(_views_key(today), RETENTION_DAYS * 86400)
            await pipe.execute()
    except RedisError as error:
        logger.warning("funnel event not recorded: %s", error)


@dataclass(frozen=True)
class FunnelStage:
    step: FunnelStep
    label: str
    visitors: int
    of_previous: float | None  # share of the previous stage's visitors (0–1)


def days_between(first: date, last: date) -> list[date]:
    if last < first:
        first, last = last, first
    span = min((last - first).days, MAX_RANGE_DAYS - 1)
    return [first + timedelta(days=n) for n in range(span + 1)]


async def funnel(first: date, last: date) -> list[FunnelStage]:
    """Unique visitors per step over the days from `first` to `last` (inclusive)."""
    days = days_between(first, last)
    redis = get_redis()
    stages: list[FunnelStage] = []
    previous: int | None = None
    for step in FunnelStep:
        visitors = int(await redis.pfcount(*(_step_key(step, day) for day in days)))
        share = visitors / previous if previous else None
        stages.append(FunnelStage(step, STEP_LABELS[step], visitors, share))
        previous = visitors
    return stages


async def most_viewed(first: date, last: date, limit: int = 10) -> list[tuple[uuid.UUID, int]]:
    """Product ids by views over the days, most viewed first."""
    days = days_between(first, last)
    redis = get_redis()
    totals: dict[str, float] = {}
    for day in days:
        for product_id, score in await redis.zrange(_views_key(day), 0, -1, withscores=True):
            totals[product_id] = totals.get(product_id, 0) + score
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(uuid.UUID(product_id), int(views)) for product_id, views in ranked]
