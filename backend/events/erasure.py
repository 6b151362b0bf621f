"""Taking a person out of recorded events: payloads (and delivery errors) that name them
keep their shape with those values replaced, so handlers that run later see no one."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import String, cast, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.like import contains_pattern
from backend.core.redaction import ERASED, holds_any, redact
from backend.events.models import EventDelivery, OutboxEvent


async def redact_events(session: AsyncSession, needles: Collection[str]) -> int:
    """How many events were changed."""
    if not needles:
        return 0
    patterns = [contains_pattern(needle) for needle in needles]
    events = (
        await session.exec(
            select(OutboxEvent)
            .where(or_(*(cast(OutboxEvent.payload, String).ilike(p) for p in patterns)))
            .with_for_update()
        )
    ).all()
    for event in events:
        event.payload = redact(event.payload, needles)
        session.add(event)
    deliveries = (
        await session.exec(
            select(EventDelivery)
            .where(or_(*(col(EventDelivery.last_error).ilike(p) for p in patterns)))
            .with_for_update()
        )
    ).all()
    for delivery in deliveries:
        if delivery.last_error and holds_any(delivery.last_error, needles):
            delivery.last_error = ERASED
            session.add(delivery)
    return len(events)
