"""Read-only catalog queries for pages, tables and the API. Each is one or two SQL statements."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func
from sqlmodel import col, select

from backend.catalog.models import Category, Product
from backend.catalog.schemas import CatalogCounts, CategorySummary, ProductDetail, ProductSummary
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.core.pagination import Page, clamp_page

_SUMMARY_COLUMNS = (
    Product.id,
    Product.name,
    Product.sku,
    Product.brand,
    Product.price,
    Product.currency,
    Product.stock_quantity,
    Product.is_active,
    col(Category.name).label("category_name"),
)


def _summaries() -> Select:  # type: ignore[type-arg]
    return select(*_SUMMARY_COLUMNS).join(Category, col(Category.id) == col(Product.category_id))


async def list_categories() -> list[CategorySummary]:
    """Categories in display order, each with its number of active products."""
    active_count = (
        select(func.count())
        .where(col(Product.category_id) == col(Category.id), col(Product.is_active))
        .scalar_subquery()
    )
    statement = select(Category.id, Category.name, Category.slug, active_count).order_by(
        col(Category.position), col(Category.name)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    return [CategorySummary(id=r[0], name=r[1], slug=r[2], product_count=r[3]) for r in rows]


async def list_new_arrivals(*, limit: int = 8) -> list[ProductSummary]:
    statement = (
        _summaries()
        .where(col(Product.is_active))
        .order_by(col(Product.created_at).desc(), col(Product.id))
        .limit(limit)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    return [ProductSummary(**row._mapping) for row in rows]


async def find_active_products(
    *, text: str, page: int = 1, limit: int = 24
) -> Page[ProductSummary]:
    """Active products whose name, brand or SKU contains `text` (case-insensitive)."""
    page, limit = clamp_page(page, limit)
    pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = col(Product.is_active) & (
        col(Product.name).ilike(pattern)
        | col(Product.brand).ilike(pattern)
        | col(Product.sku).ilike(pattern)
    )
    statement = (
        _summaries()
        .where(matches)
        .order_by(col(Product.name), col(Product.id))
        .offset((page - 1) * limit)
        .limit(limit)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
        total = (await session.exec(select(func.count()).where(matches))).one()
    return Page(
        items=[ProductSummary(**row._mapping) for row in rows], total=total, page=page, limit=limit
    )


async def list_products(*, page: int = 1, limit: int = 25) -> Page[ProductSummary]:
    """All products, active or not, newest first (the admin's table)."""
    page, limit = clamp_page(page, limit)
    statement = (
        _summaries()
        .order_by(col(Product.created_at).desc(), col(Product.id))
        .offset((page - 1) * limit)
        .limit(limit)
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
        total = (await session.exec(select(func.count()).select_from(Product))).one()
    return Page(
        items=[ProductSummary(**row._mapping) for row in rows], total=total, page=page, limit=limit
    )


async def get_active_product(product_id: uuid.UUID) -> ProductDetail:
    statement = (
        select(
            *_SUMMARY_COLUMNS,
            Product.description,
            Product.attributes,
            col(Category.slug).label("category_slug"),
        )
        .join(Category, col(Category.id) == col(Product.category_id))
        .where(Product.id == product_id, col(Product.is_active))
    )
    async with session_scope() as session:
        row = (await session.exec(statement)).first()
    if row is None:
        raise NotFoundError("This product does not exist or is no longer sold.")
    values = dict(row._mapping)
    values["attributes"] = values["attributes"] or {}
    return ProductDetail(**values)


async def get_catalog_counts() -> CatalogCounts:
    statement = select(
        func.count(),
        func.count().filter(col(Product.is_active)),
        func.count().filter(col(Product.is_active), col(Product.stock_quantity) == 0),
        select(func.count()).select_from(Category).scalar_subquery(),
    ).select_from(Product)
    async with session_scope() as session:
        total, active, out_of_stock, categories = (await session.exec(statement)).one()
    return CatalogCounts(
        products=total, active_products=active, out_of_stock=out_of_stock, categories=categories
    )


async def find_category_id(slug: str) -> uuid.UUID | None:
    async with session_scope() as session:
        return (await session.exec(select(Category.id).where(Category.slug == slug))).first()


async def list_category_products(
    slug: str, *, page: int = 1, limit: int = 24
) -> tuple[CategorySummary, Page[ProductSummary]]:
    """A category and one page of its active products, by name."""
    page, limit = clamp_page(page, limit)
    async with session_scope() as session:
        category = (await session.exec(select(Category).where(Category.slug == slug))).first()
        if category is None:
            raise NotFoundError("There is no such category.")
        in_category = (col(Product.category_id) == category.id) & col(Product.is_active)
        rows = (
            await session.exec(
                _summaries()
                .where(in_category)
                .order_by(col(Product.name), col(Product.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (await session.exec(select(func.count()).where(in_category))).one()
    summary = CategorySummary(
        id=category.id, name=category.name, slug=category.slug, product_count=total
    )
    items = [ProductSummary(**row._mapping) for row in rows]
    return summary, Page(items=items, total=total, page=page, limit=limit)
