"""Errors of pricing and discount codes, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class DiscountRefusedError(DomainError):
    """The code exists or not, but cannot be used for this order; the message says why."""

    code = "discount_refused"
