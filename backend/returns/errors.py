"""Business refusals of the returns domain."""

from __future__ import annotations

from backend.core.errors import DomainError


class ReturnNotAllowedError(DomainError):
    """The order cannot be returned (not delivered, window over, nothing left to return)."""

    code = "return_not_allowed"


class InvalidReturnTransitionError(DomainError):
    code = "invalid_return_transition"
