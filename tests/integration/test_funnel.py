"""The funnel counts unique visitors per step, whatever the number of repeats."""

from __future__ import annotations

import uuid
from datetime import timedelta

from backend.core.clock import utcnow
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep


async def test_unique_visitors_per_step_and_views_per_product() -> None:
    # The test starts with an empty Redis database: every visitor counted is one of these.
    today = utcnow().date()
    days = (today, today + timedelta(days=1))  # should the recording cross midnight
    lamp, vase = uuid.uuid4(), uuid.uuid4()
    visitors = [f"guest:{uuid.uuid4().hex}" for _ in range(4)]
    for visitor in visitors:
        for _ in range(3):  # repeats count once
            await funnel.record(FunnelStep.PRODUCT_VIEW, visitor, lamp)
    await funnel.record(FunnelStep.PRODUCT_VIEW, visitors[0], vase)
    for visitor in visitors[:2]:
        await funnel.record(FunnelStep.ADD_TO_CART, visitor)
        await funnel.record(FunnelStep.CHECKOUT_STARTED, visitor)
    await funnel.record(FunnelStep.PAID, visitors[0])
    await funnel.record(FunnelStep.PAID, None)  # no visitor: nothing counted

    stages = await funnel.funnel(*days)

    assert {stage.step: stage.visitors for stage in stages} == {
        FunnelStep.PRODUCT_VIEW: 4,
        FunnelStep.ADD_TO_CART: 2,
        FunnelStep.CHECKOUT_STARTED: 2,
        FunnelStep.PAID: 1,
    }
    assert await funnel.most_viewed(*days) == [(lamp, 12), (vase, 1)]
    assert len(funnel.days_between(today, today.replace(year=today.year - 3))) == 366
