"""Read-only catalog queries for pages, tables, the API and the search indexer.

Storefront reads go through the Redis cache (`backend/catalog/cache.py`); each page load
costs a fixed, small number of SQL statements on a cache miss (tests hold them to it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql._typing import _ColumnsClauseArgument
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog import cache
from backend.catalog.category_queries import get_category_tree, load_category_tree
from backend.catalog.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    ProductOptionValue,
    ProductVariant,
)
from backend.catalog.schemas import (
    CatalogCounts,
    OptionView,
    ProductDetail,
    ProductSummary,
    SearchDocument,
    VariantView,
    to_json,
)
from backend.catalog.variant_queries import load_options_and_variants
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page

PRODUCT_NOT_FOUND = "This product does not exist or is no longer sold."
COLOUR_OPTION_NAMES = ("colour", "color")
RELATED_COUNT = 4

_SUMMARY_COLUMNS: tuple[_ColumnsClauseArgument[Any], ...] = (
    col(Product.id),
    col(Product.slug),
    col(Product.name),
    col(Product.sku),
    col(Product.brand),
    col(Product.price),
    col(Product.currency),
    col(Product.stock_quantity),
    col(Product.low_stock_threshold),
    col(Product.is_active),
    col(Category.name).label("category_name"),
    col(Product.image_urls)[1].label("image_url"),  # PostgreSQL arrays start at 1
    col(Product.rating_count),
    col(Product.rating_sum),
    # Cards say "from $X" when sizes cost differently, and list the colours: two small
    # subqueries per row shown (the variant and option indexes by product).
    select(func.max(ProductVariant.price))
    .where(col(ProductVariant.product_id) == col(Product.id), col(ProductVariant.is_active))
    .scalar_subquery()
    .label("price_max"),
    # The compare-at ("was") price of its cheapest variant on sale: cards strike it through.
    select(func.max(ProductVariant.compare_at_price))
    .where(
        col(ProductVariant.product_id) == col(Product.id),
        col(ProductVariant.is_active),
        col(ProductVariant.price) == col(Product.price),
    )
    .scalar_subquery()
    .label("compare_at_price"),
    select(
        func.array_agg(
            aggregate_order_by(col(ProductOptionValue.value), col(ProductOptionValue.position))
        )
    )
    .join(ProductOption, col(ProductOption.id) == col(ProductOptionValue.option_id))
    .where(
        col(ProductOption.product_id) == col(Product.id),
        func.lower(ProductOption.name).in_(COLOUR_OPTION_NAMES),
    )
    .scalar_subquery()
    .label("colours"),
)


def summary_select(*extra: _ColumnsClauseArgument[Any]) -> SQLModelSelect[*tuple[Any, ...]]:
    """Product summaries' columns (and `extra` ones, such as a listing's sale price)."""
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    return SQLModelSelect(*_SUMMARY_COLUMNS, *extra).join(
        Category, col(Category.id) == col(Product.category_id)
    )


def summary_of(product: Product, category_name: str) -> ProductSummary:
    """A loaded product row as the listings and cards show it."""
    return ProductSummary(
        id=product.id,
        slug=product.slug,
        name=product.name,
        sku=product.sku,
        brand=product.brand,
        price=product.price,
        currency=product.currency,
        stock_quantity=product.stock_quantity,
        low_stock_threshold=product.low_stock_threshold,
        is_active=product.is_active,
        category_name=category_name,
        image_url=product.image_urls[0] if product.image_urls else None,
        rating_count=product.rating_count,
        rating_sum=product.rating_sum,
    )


def to_summary(row: Any) -> ProductSummary:
    values = dict(row._mapping)
    values["colours"] = tuple(values["colours"] or ())
    return ProductSummary(**values)


# --- one product ---------------------------------------------------------------------------


async def _load_product_page(slug: str) -> ProductDetail:
    tree = await get_category_tree()
    async with read_scope() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == slug, col(Product.is_active)))
        ).first()
        if product is None:
            raise NotFoundError(PRODUCT_NOT_FOUND)
        related_rows = (
            await session.exec(
                summary_select()
                .where(
                    col(Product.category_id) == product.category_id,
                    col(Product.is_active),
                    col(Product.id) != product.id,
                )
                .order_by(col(Product.stock_quantity) > 0, col(Product.created_at).desc())
                .limit(RELATED_COUNT)
            )
        ).all()
        options, variants = (
            await load_options_and_variants(session, [product.id], active_only=True)
        )[product.id]
    path = tree.ancestors(product.category_id)
    summary = summary_of(product, path[-1].name if path else "")
    return ProductDetail(
        summary=summary,
        description=product.description or "",
        attributes={str(k): str(v) for k, v in (product.attributes or {}).items()},
        image_urls=tuple(product.image_urls or ()),
        category_id=product.category_id,
        breadcrumb=tuple((node.name, node.slug) for node in path),
        related=tuple(to_summary(row) for row in related_rows),
        options=options,
        variants=variants,
    )


async def get_product_page(slug: str) -> ProductDetail:
    """An active product by its storefront address, with breadcrumb and related products."""
    return await cache.cached(
        {"product": slug},
        lambda: _load_product_page(slug),
        encode=to_json,
        decode=ProductDetail.from_json,
    )


async def get_product_summaries(product_ids: list[uuid.UUID]) -> dict[uuid.UUID, ProductSummary]:
    """Products by id, active or not, as they are now (never cached: carts and checkout
    price from these). One SQL statement; unknown ids are simply missing."""
    if not product_ids:
        return {}
    async with read_scope() as session:
        rows = (await session.exec(summary_select().where(col(Product.id).in_(product_ids)))).all()
    summaries = (to_summary(row) for row in rows)
    return {summary.id: summary for summary in summaries}


@dataclass(frozen=True)
class ProductRecord:
    """A product as staff and the API see it (active or not)."""

    summary: ProductSummary
    description: str
    attributes: dict[str, str]
    image_urls: tuple[str, ...]
    category_id: uuid.UUID
    created_at: Any
    updated_at: Any
    options: tuple[OptionView, ...] = ()
    variants: tuple[VariantView, ...] = ()  # all of them, active or not
    tax_class: str = "standard"


async def get_product(product_id: uuid.UUID) -> ProductRecord:
    async with read_scope() as session:
        row = (
            await session.exec(
                select(Product, col(Category.name))
                .join(Category, col(Category.id) == col(Product.category_id))
                .where(Product.id == product_id)
            )
        ).first()
        if row is None:
            raise NotFoundError("There is no such product.")
        options, variants = (
            await load_options_and_variants(session, [product_id], active_only=False)
        )[product_id]
    product, category_name = row
    return ProductRecord(
        summary=summary_of(product, category_name),
        description=product.description or "",
        attributes={str(k): str(v) for k, v in (product.attributes or {}).items()},
        image_urls=tuple(product.image_urls or ()),
        category_id=product.category_id,
        created_at=product.created_at,
        updated_at=product.updated_at,
        options=options,
        variants=variants,
        tax_class=product.tax_class,
    )


async def find_product_id_by_sku(sku: str) -> uuid.UUID | None:
    """Staff look products up by SKU (case-insensitive), active or not."""
    async with read_scope() as session:
        return (
            await session.exec(
                select(Product.id).where(func.lower(Product.sku) == sku.strip().lower()[:50])
            )
        ).first()


# --- counts, simple text match, search documents ----------------------------------------------


async def get_catalog_counts() -> CatalogCounts:
    statement = select(
        func.count(),
        func.count().filter(col(Product.is_active)),
        func.count().filter(col(Product.is_active), col(Product.stock_quantity) == 0),
        select(func.count()).select_from(Category).scalar_subquery(),
    ).select_from(Product)
    async with read_scope() as session:
        total, active, out_of_stock, categories = (await session.exec(statement)).one()
    return CatalogCounts(
        products=total, active_products=active, out_of_stock=out_of_stock, categories=categories
    )


async def find_active_products(
    *, text: str, page: int = 1, limit: int = 24
) -> Page[ProductSummary]:
    """Active products whose name, brand or SKU contains `text` (case-insensitive)."""
    page, limit = clamp_page(page, limit)
    pattern = contains_pattern(text)
    matches = and_(
        col(Product.is_active),
        or_(
            col(Product.name).ilike(pattern),
            col(Product.brand).ilike(pattern),
            col(Product.sku).ilike(pattern),
        ),
    )
    async with read_scope() as session:
        rows = (
            await session.exec(
                summary_select()
                .where(matches)
                .order_by(col(Product.name), col(Product.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (await session.exec(select(func.count()).where(matches))).one()
    return Page(items=[to_summary(row) for row in rows], total=total, page=page, limit=limit)


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
    tree = await load_category_tree()
    async with read_scope() as session:
        products = (await session.exec(statement)).all()
        options_and_variants = await load_options_and_variants(
            session, [p.id for p in products], active_only=True
        )
    documents = []
    for p in products:
        path = tree.ancestors(p.category_id)
        options, variants = options_and_variants[p.id]
        documents.append(
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
                category_path=tuple(node.name for node in path),
                category_slugs=tuple(node.slug for node in path),
                attributes={str(k): str(v) for k, v in (p.attributes or {}).items()},
                image_url=p.image_urls[0] if p.image_urls else None,
                created_at=p.created_at,
                compare_at_price=max(
                    (
                        variant.compare_at_price
                        for variant in variants
                        if variant.price == p.price and variant.compare_at_price is not None
                    ),
                    default=None,
                ),
                variants=tuple(
                    (
                        variant.stock_quantity > 0,
                        tuple(
                            (option.name, value)
                            for option, value in zip(options, variant.option_values, strict=False)
                        ),
                    )
                    for variant in variants
                    if variant.option_values
                ),
            )
        )
    return documents


async def list_brand_names() -> list[str]:
    """Every brand name, alphabetically (pickers and filters; brand names are public)."""
    async with read_scope() as session:
        return list((await session.exec(select(Brand.name).order_by(func.lower(Brand.name)))).all())
