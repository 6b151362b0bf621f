"""Failures of the search domain."""

from __future__ import annotations

from backend.core.errors import DomainError


class SearchIndexBusyError(DomainError):
    """Another process kept the index's writer lock too long; try again later."""

    code = "search_index_busy"
