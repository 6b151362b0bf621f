"""Row locks of webhooks (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.core.errors import NotFoundError
from backend.events.models import OutboxEvent
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint

ENDPOINT_NOT_FOUND = "There is no such webhook endpoint."


async def lock_endpoint_for_update(
    session: AsyncSession, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    row = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if row is None:
        raise NotFoundError(ENDPOINT_NOT_FOUND)
    return row


async def lock_delivery_for_update(
    session: AsyncSession, delivery_id: uuid.UUID
) -> WebhookDelivery:
    row = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFoundError("There is no such webhook delivery.")
    return row


async def lock_due_deliveries_for_update(
    session: AsyncSession, *, now: datetime, limit: int
) -> Sequence[tuple[WebhookDelivery, str, str, str | None, OutboxEvent]]:
    """Up to `limit` pending deliveries due at `now` to an active endpoint, soonest first,
    each with its endpoint's URL, secret, previous secret (while its rotation's grace
    period runs, else None) and event. Only the delivery rows are locked, SKIP LOCKED: rows
    another sender holds are left to it."""
    statement: SQLModelSelect[*tuple[Any, ...]] = (
        SQLModelSelect(
            WebhookDelivery,
            col(WebhookEndpoint.url),
            col(WebhookEndpoint.secret),
            case(
                (
                    col(WebhookEndpoint.previous_secret_expires_at) > now,
                    col(WebhookEndpoint.previous_secret),
                ),
                else_=None,
            ),
            OutboxEvent,
        )
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
        .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
        .where(
            col(WebhookDelivery.status) == "pending",
            col(WebhookDelivery.next_attempt_at) <= now,
            col(WebhookEndpoint.is_active).is_(True),
        )
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    return [
        (delivery, url, secret, previous_secret, event)
        for delivery, url, secret, previous_secret, event in (await session.exec(statement)).all()
    ]
