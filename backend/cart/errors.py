"""Errors of the cart, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class SoldOutError(DomainError):
    code = "sold_out"
