"""Each handler's delivery of each event: started, succeeded, failed, dead-lettered, retried."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.events.base import event_from_row
from backend.events.locks import lock_delivery_for_update
from backend.events.models import EventDelivery, OutboxEvent
from backend.events.outbox import OUTBOX_CHANNEL
from backend.events.schemas import DeadLetter, DeliveryAttempt

MAX_ERROR_LENGTH = 2000


async def start_delivery(
    event_id: uuid.UUID, handler: str, *, max_attempts: int
) -> DeliveryAttempt | None:
    """Count one more attempt and return the event, or None if this handler is done with it
    (succeeded, dead-lettered, or out of attempts because its worker kept dying)."""
    async with session_scope() as session:
        await session.exec(
            insert(EventDelivery)
            .values(event_id=event_id, handler=handler)
            .on_conflict_do_nothing(index_elements=["event_id", "handler"])
        )
        delivery = await lock_delivery_for_update(session, event_id, handler)
        if delivery.status != "pending":
            return None
        if delivery.attempts >= max_attempts:
            delivery.status = "dead"
            delivery.last_error = delivery.last_error or "the worker stopped during every attempt"
            return None
        delivery.attempts += 1
        row = await session.get_one(OutboxEvent, event_id)
        event = event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        return DeliveryAttempt(event=event, attempt=delivery.attempts)


async def finish_delivery(event_id: uuid.UUID, handler: str) -> None:
    async with session_scope() as session:
        await session.exec(
            update(EventDelivery)
            .where(col(EventDelivery.event_id) == event_id, col(EventDelivery.handler) == handler)
            .values(status="succeeded", last_error=None)
        )


async def fail_delivery(
    event_id: uuid.UUID, handler: str, *, error: str, max_attempts: int
) -> bool:
    """Record a failed attempt. Returns True when the delivery is now dead-lettered."""
    async with session_scope() as session:
        delivery = await lock_delivery_for_update(session, event_id, handler)
        delivery.last_error = error[:MAX_ERROR_LENGTH]
        if delivery.attempts >= max_attempts:
            delivery.status = "dead"
        return delivery.status == "dead"


async def list_dead_letters(*, limit: int = 100) -> list[DeadLetter]:
    statement: SQLModelSelect[*tuple[Any, ...]] = (
        SQLModelSelect(
            col(EventDelivery.event_id),
            col(OutboxEvent.event_type),
            col(OutboxEvent.aggregate_id),
            col(EventDelivery.handler),
            col(EventDelivery.attempts),
            col(EventDelivery.last_error),
            col(OutboxEvent.occurred_at),
            col(EventDelivery.updated_at),
        )
        .join(OutboxEvent, col(OutboxEvent.id) == col(EventDelivery.event_id))
        .where(EventDelivery.status == "dead")
        .order_by(col(EventDelivery.updated_at).desc())
        .limit(limit)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    return [
        DeadLetter(
            event_id=r[0],
            event_type=r[1],
            aggregate_id=r[2],
            handler=r[3],
            attempts=r[4],
            last_error=r[5] or "",
            occurred_at=r[6],
            failed_at=r[7],
        )
        for r in rows
    ]


async def redeliver(event_id: uuid.UUID, handler: str) -> None:
    """Give a dead-lettered delivery a fresh set of attempts; the relay picks it up again."""
    async with session_scope() as session:
        result = await session.exec(
            update(EventDelivery)
            .where(
                col(EventDelivery.event_id) == event_id,
                col(EventDelivery.handler) == handler,
                col(EventDelivery.status) == "dead",
            )
            .values(status="pending", attempts=0)
        )
        if result.rowcount == 0:
            raise NotFoundError("There is no dead-lettered delivery like that to retry.")
        await session.exec(
            update(OutboxEvent).where(col(OutboxEvent.id) == event_id).values(dispatched_at=None)
        )
        await session.exec(text(f"NOTIFY {OUTBOX_CHANNEL}"))  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
