"""Failures of message delivery. Transport problems are retried by the worker."""

from backend.core.errors import DomainError


class DeliveryError(DomainError):
    """The provider did not accept the message (network, refusal, timeout)."""

    code = "delivery_failed"
