"""Errors of orders, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class EmptyCartError(DomainError):
    code = "empty_cart"


class InvalidTransitionError(DomainError):
    code = "invalid_transition"
