"""Errors of abandoned-cart recovery, each with a stable `code`."""

from __future__ import annotations

from backend.core.errors import DomainError


class InvalidRestoreLinkError(DomainError):
    code = "invalid_restore_link"
