"""Lists carry their pagination metadata next to the items."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from backend.core.pagination import Page

ItemT = TypeVar("ItemT")


class PageMeta(BaseModel):
    page: int = Field(ge=1)
    limit: int = Field(ge=1, le=100)
    total: int = Field(ge=0)
    pages: int = Field(ge=1)
    has_next: bool
    has_previous: bool

    @classmethod
    def of(cls, *, page: int, limit: int, total: int) -> PageMeta:
        pages = max(1, -(-total // limit))
        return cls(
            page=page,
            limit=limit,
            total=total,
            pages=pages,
            has_next=page < pages,
            has_previous=page > 1,
        )

    @classmethod
    def of_page(cls, page: Page[object]) -> PageMeta:
        return cls.of(page=page.page, limit=page.limit, total=page.total)


class Paged(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    pagination: PageMeta
