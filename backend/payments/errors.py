"""Errors of payments, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class PaymentRefusedError(DomainError):
    code = "payment_refused"


class GatewayUnavailableError(DomainError):
    """The provider could not be reached or answered with an error; nothing is known to
    have happened, and retrying with the same idempotency key is safe."""

    code = "payment_gateway_unavailable"
