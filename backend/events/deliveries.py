"""Each handler's delivery of each event: started, succeeded, failed, dead-lettered, retried."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import case, func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.core.db import execute_alone, session_scope
from backend.core.errors import NotFoundError
from backend.events.base import event_from_row
from backend.events.locks import lock_delivery_for_update
from backend.events.models import EventDelivery, OutboxEvent
from backend.events.outbox import OUTBOX_CHANNEL
from backend.events.schemas import DeadLetter, DeliveryAttempt

MAX_ERROR_LENGTH = 2000
# The last error of a delivery whose attempts all ended with the worker gone.
WORN_OUT = "the worker stopped during every attempt"


async def start_delivery(
    event_id: uuid.UUID, handler: str, *, max_attempts: int
) -> DeliveryAttempt | None:
    """Count one more attempt and return the event, or None if this handler is done with it
    (succeeded, dead-lettered, or out of attempts because its worker kept dying). One
    statement: the delivery's row is written (or its attempt counted) and the event read
    together."""
    tried = col(EventDelivery.attempts)
    worn_out = tried >= max_attempts
    claim = (
        insert(EventDelivery)
        .values(event_id=event_id, handler=handler, attempts=1)
        .on_conflict_do_update(
            index_elements=["event_id", "handler"],
            set_={
                "attempts": case((worn_out, tried), else_=tried + 1),
                "status": case((worn_out, "dead"), else_="pending"),
                "last_error": case(
                    (worn_out, func.coalesce(col(EventDelivery.last_error), WORN_OUT)),
                    else_=col(EventDelivery.last_error),
                ),
                "updated_at": func.now(),
            },
            # A delivery that succeeded or died stays as it is, and returns no row.
            where=col(EventDelivery.status) == "pending",
        )
        .returning(
            col(EventDelivery.event_id), col(EventDelivery.status), col(EventDelivery.attempts)
        )
        .cte("claimed")
    )
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(
        claim.c.status,
        claim.c.attempts,
        col(OutboxEvent.event_type),
        col(OutboxEvent.occurred_at),
        col(OutboxEvent.aggregate_id),
        col(OutboxEvent.payload),
    ).join_from(claim, OutboxEvent, col(OutboxEvent.id) == claim.c.event_id)
    async with session_scope() as session:
        row = (await session.exec(statement)).first()
    if row is None:
        return None
    status, attempt, event_type, occurred_at, aggregate_id, payload = row
    if status != "pending":  # out of attempts: dead-lettered now
        return None
    event = event_from_row(
        event_type=event_type,
        event_id=event_id,
        occurred_at=occurred_at,
        aggregate_id=aggregate_id,
        payload=payload,
    )
    return DeliveryAttempt(event=event, attempt=attempt)


async def finish_delivery(event_id: uuid.UUID, handler: str) -> None:
    await execute_alone(
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
