"""The staff products table: every product, active or hidden, found by text, category,
brand, status and stock, in any order, a page at a time.

Built to stay fast on 100,000 products: the text match uses trigram indexes (name, SKU),
the count runs only over what the filters let through, and paging is by offset with a
total order (ties broken by id). Not cached: staff must see their own edits at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select

from backend.catalog.category_queries import get_category_tree
from backend.catalog.models import Product
from backend.catalog.queries import summary_select, to_summary
from backend.catalog.schemas import ProductSummary
from backend.core.db import session_scope
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page

E = TypeVar("E", bound=StrEnum)


class StatusFilter(StrEnum):
    ALL = "all"
    ACTIVE = "active"
    HIDDEN = "hidden"


class StockFilter(StrEnum):
    ALL = "all"
    LOW = "low"  # at or below the product's own threshold, not sold out
    OUT = "out"


class StaffSort(StrEnum):
    NEWEST = "newest"
    NAME = "name"
    PRICE_LOW = "price_low"
    PRICE_HIGH = "price_high"
    STOCK_LOW = "stock_low"
    UPDATED = "updated"


@dataclass(frozen=True)
class StaffProductQuery:
    text: str = ""
    category_id: uuid.UUID | None = None  # with its subcategories
    brand: str = ""
    status: StatusFilter = StatusFilter.ALL
    stock: StockFilter = StockFilter.ALL
    sort: StaffSort = StaffSort.NEWEST

    @classmethod
    def from_strings(
        cls,
        *,
        text: str = "",
        category_id: str = "",
        brand: str = "",
        status: str = "",
        stock: str = "",
        sort: str = "",
    ) -> StaffProductQuery:
        """From a form or query string, leniently: anything unknown means "all"."""
        try:
            category = uuid.UUID(category_id) if category_id else None
        except ValueError:
            category = None
        return cls(
            text=text.strip()[:100],
            category_id=category,
            brand=brand.strip()[:100],
            status=_member(StatusFilter, status, StatusFilter.ALL),
            stock=_member(StockFilter, stock, StockFilter.ALL),
            sort=_member(StaffSort, sort, StaffSort.NEWEST),
        )


def _member(choices: type[E], value: str, default: E) -> E:
    try:
        return choices(value)
    except ValueError:
        return default


_ORDER: dict[StaffSort, tuple[Any, ...]] = {
    StaffSort.NEWEST: (col(Product.created_at).desc(),),
    StaffSort.NAME: (col(Product.name),),
    StaffSort.PRICE_LOW: (col(Product.price),),
    StaffSort.PRICE_HIGH: (col(Product.price).desc(),),
    StaffSort.STOCK_LOW: (col(Product.stock_quantity),),
    StaffSort.UPDATED: (col(Product.updated_at).desc(),),
}


async def _conditions(query: StaffProductQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.text:
        pattern = contains_pattern(query.text)
        conditions.append(or_(col(Product.name).ilike(pattern), col(Product.sku).ilike(pattern)))
    if query.category_id:
        subtree = (await get_category_tree()).subtree_ids(query.category_id)
        conditions.append(col(Product.category_id).in_(subtree))
    if query.brand:
        conditions.append(col(Product.brand) == query.brand)
    if query.status is not StatusFilter.ALL:
        conditions.append(col(Product.is_active).is_(query.status is StatusFilter.ACTIVE))
    if query.stock is StockFilter.OUT:
        conditions.append(col(Product.stock_quantity) == 0)
    elif query.stock is StockFilter.LOW:
        conditions.append(col(Product.stock_quantity) > 0)
        conditions.append(col(Product.stock_quantity) <= col(Product.low_stock_threshold))
    return conditions


async def list_products_for_staff(
    query: StaffProductQuery, *, page: int = 1, limit: int = 25
) -> Page[ProductSummary]:
    """Two SQL statements: the page (joined with its category names) and the count."""
    page, limit = clamp_page(page, limit)
    conditions = await _conditions(query)
    statement = (
        summary_select()
        .where(*conditions)
        .order_by(*_ORDER[query.sort], col(Product.id))
        .offset((page - 1) * limit)
        .limit(limit)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
        total = (
            await session.exec(select(func.count()).select_from(Product).where(*conditions))
        ).one()
    return Page(items=[to_summary(row) for row in rows], total=total, page=page, limit=limit)
