"""Errors of back-in-stock notices, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class ProductAvailableError(DomainError):
    """The product is in stock: there is nothing to wait for."""

    code = "product_available"
