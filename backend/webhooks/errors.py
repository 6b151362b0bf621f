"""Refusals of the webhooks domain."""

from __future__ import annotations

from backend.core.errors import DomainError


class DeliveryAlreadyScheduledError(DomainError):
    """A manual retry of a delivery that is still being tried: it will be sent anyway."""

    code = "webhook_delivery_scheduled"
