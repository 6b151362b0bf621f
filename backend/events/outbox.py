"""Writing events: in the caller's transaction, so an event exists exactly when its change does."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.events.base import DomainEvent
from backend.events.models import OutboxEvent
from backend.observability.tracing import trace_carrier

# The relay LISTENs on this channel; NOTIFY is delivered only if the transaction commits.
OUTBOX_CHANNEL = "outbox_events"


async def record_event(session: AsyncSession, event: DomainEvent) -> None:
    session.add(
        OutboxEvent(
            id=event.event_id,
            event_type=event.event_type,
            aggregate_id=event.aggregate_id,
            payload=event.payload(),
            occurred_at=event.occurred_at,
            trace_context=trace_carrier(),
        )
    )
    await session.exec(text(f"NOTIFY {OUTBOX_CHANNEL}"))  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
