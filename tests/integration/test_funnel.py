"""The funnel counts unique visitors per step, whatever the number of repeats."""

from __future__ import annotations

import uuid

from backend.core.clock import utcnow
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep


async def test_unique_visitors_per_step_and_views_per_product() -> None:
    today = utcnow().date()
    before = {stage.step: stage.visitors for stage in await funnel.funnel(today, today)}
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

    stages = await funnel.funnel(today, today)

    grown = {stage.step: stage.visitors - before[stage.step] for stage in stages}
    assert grown == {
        FunnelStep.PRODUCT_VIEW: 4,
        FunnelStep.ADD_TO_CART: 2,
        FunnelStep.CHECKOUT_STARTED: 2,
        FunnelStep.PAID: 1,
    }
    views = dict(await funnel.most_viewed(today, today, limit=1000))
    assert (views[lamp], views[vase]) == (12, 1)
    assert len(funnel.days_between(today, today.replace(year=today.year - 3))) == 366
