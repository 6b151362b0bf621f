"""Read-only catalog queries for pages, tables, the API and the search indexer.

Storefront reads go through the Redis cache (`backend/catalog/cache.py`); each page load
costs a fixed, small number of SQL statements on a cache miss (tests hold them to it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, true, union_all
from sqlalchemy.sql._typing import _ColumnsClauseArgument
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog import cache
from backend.catalog.listing import ListingQuery
from backend.catalog.models import Brand, Category, Product
from backend.catalog.schemas import (
    CatalogCounts,
    CategoryNode,
    CategorySummary,
    CategoryTree,
    FacetValue,
    Listing,
    ListingTotals,
    ProductDetail,
    ProductSummary,
    SearchDocument,
    to_json,
)
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.core.like import contains_pattern
from backend.core.pagination import Page, clamp_page

PRODUCT_NOT_FOUND = "This product does not exist or is no longer sold."
CATEGORY_NOT_FOUND = "There is no such category."
RELATED_COUNT = 4
FACET_VALUES_SHOWN = 30

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
)


def summary_select() -> SQLModelSelect[*tuple[Any, ...]]:
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    return SQLModelSelect(*_SUMMARY_COLUMNS).join(
        Category, col(Category.id) == col(Product.category_id)
    )


def to_summary(row: Any) -> ProductSummary:
    return ProductSummary(**row._mapping)


# --- categories ------------------------------------------------------------------------


async def _load_category_tree() -> CategoryTree:
    # SQLModel's select() overloads stop at 4 columns; its Select class takes any number.
    statement: SQLModelSelect[uuid.UUID, str, str, uuid.UUID | None, int, str | None] = (
        SQLModelSelect(
            col(Category.id),
            col(Category.name),
            col(Category.slug),
            col(Category.parent_id),
            col(Category.position),
            col(Category.description),
        )
    )
    async with session_scope() as session:
        rows = (await session.exec(statement)).all()
    return CategoryTree(
        nodes=tuple(
            CategoryNode(
                id=r[0], name=r[1], slug=r[2], parent_id=r[3], position=r[4], description=r[5] or ""
            )
            for r in rows
        )
    )


async def get_category_tree() -> CategoryTree:
    return await cache.cached(
        {"tree": 1}, _load_category_tree, encode=to_json, decode=CategoryTree.from_json
    )


async def find_category_id(slug: str) -> uuid.UUID | None:
    node = (await _load_category_tree()).by_slug(slug)
    return node.id if node else None


async def list_top_categories() -> list[CategorySummary]:
    """Top-level categories in display order, each counting the active products of its
    whole subtree (one SQL statement besides the cached tree)."""

    async def load() -> list[CategorySummary]:
        tree = await get_category_tree()
        async with session_scope() as session:
            counts = dict(
                (
                    await session.exec(
                        select(Product.category_id, func.count())
                        .where(col(Product.is_active))
                        .group_by(col(Product.category_id))
                    )
                ).all()
            )
        return [
            CategorySummary(
                id=node.id,
                name=node.name,
                slug=node.slug,
                product_count=sum(counts.get(i, 0) for i in tree.subtree_ids(node.id)),
            )
            for node in tree.children(None)
        ]

    return await cache.cached(
        {"top_categories": 1},
        load,
        encode=lambda items: [to_json(item) for item in items],
        decode=lambda data: [
            CategorySummary(
                id=uuid.UUID(d["id"]),
                name=d["name"],
                slug=d["slug"],
                product_count=d["product_count"],
            )
            for d in data
        ],
    )


# --- listings ----------------------------------------------------------------------------


def _filters(
    query: ListingQuery, category_ids: list[uuid.UUID] | None, *, skip: str = ""
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a listing; `skip` leaves one facet's own filter out."""
    clauses: list[ColumnElement[bool]] = [col(Product.is_active) == true()]
    if category_ids is not None:
        clauses.append(col(Product.category_id).in_(category_ids))
    if query.brands and skip != "brand":
        clauses.append(col(Product.brand).in_(query.brands))
    if query.min_price is not None:
        clauses.append(col(Product.price) >= query.min_price)
    if query.max_price is not None:
        clauses.append(col(Product.price) <= query.max_price)
    if query.in_stock_only:
        clauses.append(col(Product.stock_quantity) > 0)
    if query.min_rating is not None:
        # Exact: the true average (sum / count) is at least the minimum. The rounded
        # average column repeats it (implied, never stricter) so the rating index helps.
        clauses.append(col(Product.rating_count) > 0)
        clauses.append(col(Product.rating_sum) >= query.min_rating * col(Product.rating_count))
        clauses.append(col(Product.rating_average) >= query.min_rating)
    if query.attributes and skip != "attributes":
        wanted: dict[str, list[str]] = {}
        for name, value in query.attributes:
            wanted.setdefault(name, []).append(value)
        for name, values in wanted.items():
            # JSONB containment uses the GIN index; several values of one attribute = OR.
            clauses.append(or_(*(col(Product.attributes).contains({name: v}) for v in values)))
    return clauses


def _sort_columns(query: ListingQuery) -> list[Any]:
    if query.sort_by == "rating":
        # Highest rated first: the average, then the number of reviews among equals
        # (products without reviews have 0 and 0, so they come last).
        return [Product.rating_average, Product.rating_count]
    return [
        {"price": Product.price, "name": Product.name, "created_at": Product.created_at}[
            query.sort_by
        ]
    ]


def _ordering(
    query: ListingQuery, columns: list[Any] | None = None, id_column: Any = None
) -> list[Any]:
    columns = _sort_columns(query) if columns is None else columns
    id_column = Product.id if id_column is None else id_column
    if query.order == "desc":
        return [*(col(column).desc() for column in columns), col(id_column).desc()]
    return [*(col(column).asc() for column in columns), col(id_column).asc()]


def _page_ids(query: ListingQuery, category_ids: list[uuid.UUID] | None) -> Select[Any]:
    """The ids of one page, in order.

    For a category with subcategories, each category's rows come in order from its own
    index (`products_listing_*_idx`), only as many as the page needs, and are merged:
    one ordered scan over the whole catalog, filtering by category, would wade through
    every other category's products when a category's prices or names cluster.
    """
    offset = (query.page - 1) * query.limit
    if category_ids is None or len(category_ids) == 1:
        return (
            select(Product.id)
            .where(*_filters(query, category_ids))
            .order_by(*_ordering(query))
            .offset(offset)
            .limit(query.limit)
        )
    sort_columns = _sort_columns(query)
    branches = union_all(
        *(
            select(
                Product.id,
                *(column.label(f"sort_key_{i}") for i, column in enumerate(sort_columns)),
            )
            .where(*_filters(query, [category_id]))
            .order_by(*_ordering(query))
            .limit(offset + query.limit)
            for category_id in category_ids
        )
    ).subquery()
    merged_keys = [branches.c[f"sort_key_{i}"] for i in range(len(sort_columns))]
    return (
        select(branches.c.id)
        .order_by(*_ordering(query, merged_keys, branches.c.id))
        .offset(offset)
        .limit(query.limit)
    )


async def _category_ids(query: ListingQuery) -> list[uuid.UUID] | None:
    """The listing's category and all its subcategories (None: the whole catalog)."""
    if not query.category:
        return None
    tree = await get_category_tree()
    node = tree.by_slug(query.category)
    if node is None:
        raise NotFoundError(CATEGORY_NOT_FOUND)
    return tree.subtree_ids(node.id)


async def _load_listing_page(
    query: ListingQuery, category_ids: list[uuid.UUID] | None
) -> tuple[ProductSummary, ...]:
    page_ids = _page_ids(query, category_ids).subquery()
    async with session_scope() as session:
        # The page's ids come from an index-only scan (deep offsets skip index entries,
        # not rows); only the page's own rows are then read in full.
        rows = (
            await session.exec(
                summary_select()
                .join(page_ids, col(page_ids.c.id) == col(Product.id))
                .order_by(*_ordering(query))
            )
        ).all()
    return tuple(to_summary(row) for row in rows)


async def _load_listing_totals(
    query: ListingQuery, category_ids: list[uuid.UUID] | None, *, with_facets: bool
) -> ListingTotals:
    async with session_scope() as session:
        total, price_min, price_max = (
            await session.exec(
                select(func.count(), func.min(Product.price), func.max(Product.price)).where(
                    *_filters(query, category_ids)
                )
            )
        ).one()
        if not with_facets:
            return ListingTotals(total=total, price_min=price_min, price_max=price_max)
        brand_rows = (
            await session.exec(
                select(Product.brand, func.count())
                .where(
                    *_filters(query, category_ids, skip="brand"),
                    col(Product.brand).is_not(None),
                )
                .group_by(col(Product.brand))
                .order_by(col(Product.brand))
            )
        ).all()
        pairs = func.jsonb_each_text(Product.attributes).table_valued("key", "value").alias("pair")
        attribute_rows = (
            await session.exec(
                select(pairs.c.key, pairs.c.value, func.count())
                .select_from(Product)
                .join(pairs, true())
                .where(*_filters(query, category_ids, skip="attributes"))
                .group_by(pairs.c.key, pairs.c.value)
                .order_by(pairs.c.key, pairs.c.value)
            )
        ).all()
    grouped: dict[str, list[FacetValue]] = {}
    for key, value, count in attribute_rows:
        grouped.setdefault(key, []).append(FacetValue(value=value, count=count))
    return ListingTotals(
        total=total,
        price_min=price_min,
        price_max=price_max,
        # The query leaves NULL brands out; the filter only tells the type checker.
        brands=tuple(FacetValue(value=b, count=n) for b, n in brand_rows if b is not None),
        attributes={k: tuple(v[:FACET_VALUES_SHOWN]) for k, v in grouped.items() if len(v) > 1},
    )


async def list_products(query: ListingQuery, *, with_facets: bool = False) -> Listing:
    """Active products matching the query, one page, in a total order (cached).

    Totals and facets are cached per filter set, apart from the page: paging through a
    listing or re-sorting it costs one index-only page query, however deep the page.
    """
    category_ids = await _category_ids(query)
    totals = await cache.cached(
        {"listing_totals": to_json(query.filters_only()), "facets": with_facets},
        lambda: _load_listing_totals(query, category_ids, with_facets=with_facets),
        encode=to_json,
        decode=ListingTotals.from_json,
    )
    items = await cache.cached(
        {"listing_page": to_json(query)},
        lambda: _load_listing_page(query, category_ids),
        encode=lambda page: [to_json(item) for item in page],
        decode=lambda data: tuple(ProductSummary.from_json(item) for item in data),
    )
    return Listing(
        items=items,
        total=totals.total,
        page=query.page,
        limit=query.limit,
        brands=totals.brands,
        attributes=totals.attributes,
        price_min=totals.price_min,
        price_max=totals.price_max,
    )


async def list_new_arrivals(*, limit: int = 8) -> list[ProductSummary]:
    listing = await list_products(ListingQuery(limit=limit, sort_by="created_at", order="desc"))
    return list(listing.items)


# --- one product ---------------------------------------------------------------------------


async def _load_product_page(slug: str) -> ProductDetail:
    tree = await get_category_tree()
    async with session_scope() as session:
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
    path = tree.ancestors(product.category_id)
    summary = ProductSummary(
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
        category_name=path[-1].name if path else "",
        image_url=product.image_urls[0] if product.image_urls else None,
        rating_count=product.rating_count,
        rating_sum=product.rating_sum,
    )
    return ProductDetail(
        summary=summary,
        description=product.description or "",
        attributes={str(k): str(v) for k, v in (product.attributes or {}).items()},
        image_urls=tuple(product.image_urls or ()),
        category_id=product.category_id,
        breadcrumb=tuple((node.name, node.slug) for node in path),
        related=tuple(to_summary(row) for row in related_rows),
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
    async with session_scope() as session:
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


async def get_product(product_id: uuid.UUID) -> ProductRecord:
    async with session_scope() as session:
        row = (
            await session.exec(
                select(Product, col(Category.name))
                .join(Category, col(Category.id) == col(Product.category_id))
                .where(Product.id == product_id)
            )
        ).first()
    if row is None:
        raise NotFoundError("There is no such product.")
    product, category_name = row
    return ProductRecord(
        summary=ProductSummary(
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
        ),
        description=product.description or "",
        attributes={str(k): str(v) for k, v in (product.attributes or {}).items()},
        image_urls=tuple(product.image_urls or ()),
        category_id=product.category_id,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


async def find_product_id_by_sku(sku: str) -> uuid.UUID | None:
    """Staff look products up by SKU (case-insensitive), active or not."""
    async with session_scope() as session:
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
    async with session_scope() as session:
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
    async with session_scope() as session:
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
    tree = await _load_category_tree()
    async with session_scope() as session:
        products = (await session.exec(statement)).all()
    documents = []
    for p in products:
        path = tree.ancestors(p.category_id)
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
            )
        )
    return documents


async def list_brand_names() -> list[str]:
    """Every brand name, alphabetically (pickers and filters; brand names are public)."""
    async with session_scope() as session:
        return list((await session.exec(select(Brand.name).order_by(func.lower(Brand.name)))).all())
