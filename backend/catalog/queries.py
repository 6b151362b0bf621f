"""Read-only catalog queries for pages, tables and the API. Each is one or two SQL statements."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func
from sqlmodel import col, select

from backend.catalog.models import Category, Product
from backend.catalog.schemas import (
    CatalogCounts,
    CategorySummary,
    ProductDetail,
    ProductSummary,
    SearchDocument,
)
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


async def _category_paths() -> dict[uuid.UUID, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each category's (names, slugs) from the top-level category down to itself."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Category.id, Category.parent_id, Category.name, Category.slug)
            )
        ).all()
    by_id = {row[0]: row for row in rows}
    paths: dict[uuid.UUID, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for category_id in by_id:
        names: list[str] = []
        slugs: list[str] = []
        current = by_id.get(category_id)
        seen: set[uuid.UUID] = set()
        while current is not None and current[0] not in seen:
            seen.add(current[0])
            names.append(current[2])
            slugs.append(current[3])
            current = by_id.get(current[1]) if current[1] else None
        paths[category_id] = (tuple(reversed(names)), tuple(reversed(slugs)))
    return paths


async def list_search_documents(
    product_ids: list[uuid.UUID] | None = None,
    *,
    after_id: uuid.UUID | None = None,
    limit: int = 1000,
) -> list[SearchDocument]:
    """Products as the search index sees them, in id order (pass the last id as `after_id`
    to read the whole catalog in batches), or exactly `product_ids`."""
    statement = select(Product).order_by(col(Product.id)).limit(limit)
    if product_ids is not None:
        statement = statement.where(col(Product.id).in_(product_ids))
    elif after_id is not None:
        statement = statement.where(col(Product.id) > after_id)
    paths = await _category_paths()
    async with session_scope() as session:
        products = (await session.exec(statement)).all()
    return [
        SearchDocument(
            id=p.id,
            slug=p.slug,
            name=p.name,
            description=p.description or "",
            brand=p.brand,
            sku=p.sku,
            price=p.price,
            currency=p.currency,
            stock_quantity=p.stock_quantity,
            is_active=p.is_active,
            category_id=p.category_id,
            category_path=paths.get(p.category_id, ((), ()))[0],
            category_slugs=paths.get(p.category_id, ((), ()))[1],
            attributes={str(k): str(v) for k, v in (p.attributes or {}).items()},
            image_url=(p.image_urls or [None])[0],
            created_at=p.created_at,
        )
        for p in products
    ]
