"""Reading webhooks (admins only): the endpoints, and each one's delivery log with every
attempt."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.core.db import read_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.pagination import Page, clamp_page
from backend.webhooks.locks import ENDPOINT_NOT_FOUND
from backend.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from backend.webhooks.schemas import AttemptRecord, DeliveryDetail, DeliverySummary, EndpointSummary

WHAT = "manage webhooks"  # what only admins may do, in the refusal's words
DELIVERY_STATUSES = ("pending", "succeeded", "failed")


async def _get_endpoint_row(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    row = await session.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFoundError(ENDPOINT_NOT_FOUND)
    return row


async def list_endpoints(actor: Viewer | None) -> list[EndpointSummary]:
    require_permission(actor, Permission.WEBHOOKS, WHAT)
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(WebhookEndpoint).order_by(
                    col(WebhookEndpoint.created_at).desc(), col(WebhookEndpoint.id)
                )
            )
        ).all()
    return [EndpointSummary.of(row) for row in rows]


async def get_endpoint(actor: Viewer | None, endpoint_id: uuid.UUID) -> EndpointSummary:
    require_permission(actor, Permission.WEBHOOKS, WHAT)
    async with read_scope() as session:
        return EndpointSummary.of(await _get_endpoint_row(session, endpoint_id))


async def list_deliveries(
    actor: Viewer | None,
    endpoint_id: uuid.UUID,
    *,
    status: str | None = None,
    page: int = 1,
    limit: int = 25,
) -> Page[DeliverySummary]:
    """One endpoint's deliveries, newest first."""
    require_permission(actor, Permission.WEBHOOKS, WHAT)
    if status is not None and status not in DELIVERY_STATUSES:
        message = f"Status is one of {', '.join(DELIVERY_STATUSES)}."
        raise InvalidInputError(message, {"status": message})
    page, limit = clamp_page(page, limit)
    condition = col(WebhookDelivery.endpoint_id) == endpoint_id
    if status is not None:
        condition = condition & (col(WebhookDelivery.status) == status)
    async with read_scope() as session:
        await _get_endpoint_row(session, endpoint_id)
        rows = (
            await session.exec(
                select(WebhookDelivery)
                .where(condition)
                .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(WebhookDelivery).where(condition))
        ).one()
    return Page(
        items=[DeliverySummary.of(row) for row in rows], total=total, page=page, limit=limit
    )


async def get_delivery(actor: Viewer | None, delivery_id: uuid.UUID) -> DeliveryDetail:
    """A delivery with every attempt of it (status, start of the body, duration, error)."""
    require_permission(actor, Permission.WEBHOOKS, WHAT)
    async with read_scope() as session:
        row = await session.get(WebhookDelivery, delivery_id)
        if row is None:
            raise NotFoundError("There is no such webhook delivery.")
        attempts = (
            await session.exec(
                select(WebhookAttempt)
                .where(col(WebhookAttempt.delivery_id) == delivery_id)
                .order_by(col(WebhookAttempt.started_at), col(WebhookAttempt.id))
            )
        ).all()
    return DeliveryDetail(
        delivery=DeliverySummary.of(row),
        attempts=tuple(AttemptRecord.of(attempt) for attempt in attempts),
    )
