"""Refusals of the webhooks domain."""

from __future__ import annotations

from backend.core.errors import DomainError


class DeliveryAlreadyScheduledError(DomainError):
    """A manual retry of a delivery that is still being tried: it will be sent anyway."""

    code = "webhook_delivery_scheduled"


class DestinationRefusedError(Exception):
    """A delivery's host may not be connected to; the message says why."""
