"""Every event offered to the webhook endpoints subscribed to it."""

from __future__ import annotations

from backend.events.base import DomainEvent
from backend.webhooks import services as webhooks


async def deliver_to_webhooks(event: DomainEvent) -> None:
    # Only records one delivery per subscribed endpoint (idempotent); the worker's
    # `send_webhook_deliveries_job` sends them, retrying each endpoint on its own.
    await webhooks.create_deliveries_for(event)
