"""A page of results with the numbers a pager needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    limit: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def clamp_page(page: int, limit: int) -> tuple[int, int]:
    """Page numbers start at 1; a page holds 1 to MAX_PAGE_SIZE items."""
    return max(1, page), min(max(1, limit), MAX_PAGE_SIZE)
