"""Reading product listings: a category's or the whole catalog's products, filtered,
sorted and paged, with facet counts (the storefront reads them at its prices through
`backend/merchandising/storefront_catalog.py`). Served through the Redis cache."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    asc,
    desc,
    exists,
    func,
    or_,
    true,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from backend.catalog import cache
from backend.catalog.category_queries import CATEGORY_NOT_FOUND, get_category_tree
from backend.catalog.listing import ListingQuery
from backend.catalog.models import Product, ProductOption, ProductOptionValue, ProductVariant
from backend.catalog.queries import summary_select, to_summary
from backend.catalog.schemas import (
    FacetValue,
    Listing,
    ListingTotals,
    ProductSummary,
    to_json,
)
from backend.core.db import read_scope
from backend.core.errors import NotFoundError

FACET_VALUES_SHOWN = 30

T = TypeVar("T")


@dataclass(frozen=True)
class ListingScope:
    """The part of the catalog a listing shows when it is not a category: a collection
    (backend/merchandising) hands its products' condition, the key its listings are cached
    under (it changes whenever the condition does), and, when hand-ordered, each product's
    place for the "featured" order."""

    key: str
    where: ColumnElement[bool]
    featured_order: ColumnElement[Any] | None = None


@dataclass(frozen=True)
class ListingPricing:
    """The prices a listing shows, filters and sorts by when they are not the catalog's
    own: the live automatic promotions (backend/merchandising) hand each product's sale
    price and its badge as SQL over `products`, and the key their listings are cached
    under (it changes whenever a promotion starts, ends or is edited)."""

    key: str
    sale_price: ColumnElement[Any]  # NULL where no promotion lowers the price
    sale_label: ColumnElement[Any]  # "−20%", NULL where none

    @property
    def shown_price(self) -> ColumnElement[Any]:
        return func.coalesce(self.sale_price, Product.price)


@dataclass(frozen=True)
class Deferred(Generic[T]):
    """A listing's scope or prices as the key its cached answers go under, and how to
    build them: only a cache miss needs them built (reading the category tree, putting the
    SQL together), so a hit costs none of that."""

    key: str
    build: Callable[[], Awaitable[T]]


class _BuiltOnce:
    """The deferred scope and prices of one listing, built on the first cache miss and
    kept for the second (its totals and its page are cached apart)."""

    def __init__(
        self,
        scope: Deferred[ListingScope] | None,
        pricing: Deferred[ListingPricing | None] | None,
    ) -> None:
        self._deferred = (scope, pricing)
        self._built: tuple[ListingScope | None, ListingPricing | None] | None = None

    async def get(self) -> tuple[ListingScope | None, ListingPricing | None]:
        if self._built is None:
            scope, pricing = self._deferred
            self._built = (
                await scope.build() if scope is not None else None,
                await pricing.build() if pricing is not None else None,
            )
        return self._built


def _price(pricing: ListingPricing | None) -> Any:
    return Product.price if pricing is None else pricing.shown_price


def _filters(
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    *,
    skip: str = "",
    scope: ListingScope | None = None,
    pricing: ListingPricing | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a listing; `skip` leaves one facet's own filter out."""
    clauses: list[ColumnElement[bool]] = [col(Product.is_active) == true()]
    if category_ids is not None:
        clauses.append(col(Product.category_id).in_(category_ids))
    if scope is not None:
        clauses.append(scope.where)
    if query.brands and skip != "brand":
        clauses.append(col(Product.brand).in_(query.brands))
    if query.min_price is not None:
        clauses.append(_price(pricing) >= query.min_price)
    if query.max_price is not None:
        clauses.append(_price(pricing) <= query.max_price)
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
        summary: Any = (
            Product.option_values_in_stock if query.in_stock_only else Product.option_values
        )
        for name, values in wanted.items():
            # Narrowed by the GIN indexes first (an attribute, or a variant's value as its
            # facet names it); then one variant must have every wanted value.
            clauses.append(
                or_(
                    *(col(Product.attributes).contains({name: v}) for v in values),
                    summary.overlap([f"{name.lower()}{OPTION_SEPARATOR}{v}" for v in values]),
                )
            )
        if len(wanted) > 1:  # one name alone: the summary above is exact
            clauses.append(_matching_variant(wanted, in_stock=query.in_stock_only))
    return clauses


OPTION_SEPARATOR = "\x1f"  # "size\x1fM" in products.option_values


def _matching_variant(wanted: dict[str, list[str]], *, in_stock: bool) -> ColumnElement[bool]:
    """A variant on sale (in stock, with "in stock only") that has, for every filtered
    name, one of the wanted values: as the product's attribute (JSONB containment; several
    values of one name = OR) or as the variant's own option value. One variant must match
    them all: "S" and "Red" is a product with a red S, not one with an S and a red M."""
    variant: Any = aliased(ProductVariant)  # aliases are typed as their class: columns here
    conditions: list[ColumnElement[bool]] = [
        variant.product_id == Product.id,
        variant.is_active,
    ]
    if in_stock:
        conditions.append(variant.stock_quantity > 0)
    for name, values in wanted.items():
        value: Any = aliased(ProductOptionValue)
        option: Any = aliased(ProductOption)
        has_option_value = exists(
            select(value.id)
            .join(option, option.id == value.option_id)
            .where(
                value.id.in_(
                    [variant.option1_value_id, variant.option2_value_id, variant.option3_value_id]
                ),
                func.lower(option.name) == name.lower(),
                func.lower(value.value).in_([v.lower() for v in values]),
            )
        )
        conditions.append(
            or_(*(col(Product.attributes).contains({name: v}) for v in values), has_option_value)
        )
    return exists(select(variant.id).where(*conditions))


def _variant_values() -> tuple[Any, Any, Any]:
    """A variant joined to its option values and their options (aliases per use)."""
    variant = aliased(ProductVariant)
    value = aliased(ProductOptionValue)
    option = aliased(ProductOption)
    return variant, value, option


def _attribute_and_option_counts(
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    scope: ListingScope | None,
    pricing: ListingPricing | None,
) -> Subquery:
    """(name, value, products) of the attributes and of the variants' option values."""
    pairs = func.jsonb_each_text(Product.attributes).table_valued("key", "value").alias("pair")
    return union_all(
        sql_select(pairs.c.key, pairs.c.value, func.count())
        .select_from(Product)
        .join(pairs, true())
        .where(*_filters(query, category_ids, skip="attributes", scope=scope, pricing=pricing))
        .group_by(pairs.c.key, pairs.c.value),
        _option_value_counts(query, category_ids, scope, pricing),
    ).subquery()


def _option_value_counts(
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    scope: ListingScope | None,
    pricing: ListingPricing | None,
) -> Select[Any]:
    """(option name lower-cased, value, products) over the listing: a product counts for a
    value when a variant of it on sale has it (in stock, with "in stock only"). Read from
    the products' own summary of their variants' values, like the attributes."""
    summary = Product.option_values_in_stock if query.in_stock_only else Product.option_values
    pair = func.unnest(summary).table_valued("pair").render_derived(name="option_value")
    return (
        sql_select(
            func.split_part(pair.c.pair, OPTION_SEPARATOR, 1),
            func.split_part(pair.c.pair, OPTION_SEPARATOR, 2),
            func.count(),
        )
        .select_from(Product)
        .join(pair, true())
        .where(*_filters(query, category_ids, skip="attributes", scope=scope, pricing=pricing))
        .group_by(pair.c.pair)
    )


def _sort_columns(
    query: ListingQuery,
    scope: ListingScope | None = None,
    pricing: ListingPricing | None = None,
) -> list[Any]:
    if query.sort_by == "featured":
        # A hand-ordered collection's order; anywhere else, the newest first.
        if scope is not None and scope.featured_order is not None:
            return [scope.featured_order]
        return [Product.created_at]
    if query.sort_by == "rating":
        # Highest rated first: the average, then the number of reviews among equals
        # (products without reviews have 0 and 0, so they come last).
        return [Product.rating_average, Product.rating_count]
    return [
        {"price": _price(pricing), "name": Product.name, "created_at": Product.created_at}[
            query.sort_by
        ]
    ]


def _ordering(
    query: ListingQuery,
    columns: list[Any] | None = None,
    id_column: Any = None,
    scope: ListingScope | None = None,
    pricing: ListingPricing | None = None,
) -> list[Any]:
    columns = _sort_columns(query, scope, pricing) if columns is None else columns
    id_column = Product.id if id_column is None else id_column
    direction = desc if query.order == "desc" else asc
    return [*(direction(column) for column in columns), direction(id_column)]


def _page_ids(
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    scope: ListingScope | None,
    pricing: ListingPricing | None,
) -> Select[Any]:
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
            .where(*_filters(query, category_ids, scope=scope, pricing=pricing))
            .order_by(*_ordering(query, scope=scope, pricing=pricing))
            .offset(offset)
            .limit(query.limit)
        )
    sort_columns = _sort_columns(query, pricing=pricing)
    branches = union_all(
        *(
            select(
                Product.id,
                *(column.label(f"sort_key_{i}") for i, column in enumerate(sort_columns)),
            )
            .where(*_filters(query, [category_id], pricing=pricing))
            .order_by(*_ordering(query, pricing=pricing))
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
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    scope: ListingScope | None,
    pricing: ListingPricing | None,
) -> tuple[ProductSummary, ...]:
    page_ids = _page_ids(query, category_ids, scope, pricing).subquery()
    statement = summary_select(
        *(
            (pricing.sale_price.label("sale_price"), pricing.sale_label.label("sale_label"))
            if pricing is not None
            else ()
        )
    )
    async with read_scope() as session:
        # The page's ids come from an index-only scan (deep offsets skip index entries,
        # not rows); only the page's own rows are then read in full.
        rows = (
            await session.exec(
                statement.join(page_ids, col(page_ids.c.id) == col(Product.id)).order_by(
                    *_ordering(query, scope=scope, pricing=pricing)
                )
            )
        ).all()
    return tuple(to_summary(row) for row in rows)


async def _load_listing_totals(
    query: ListingQuery,
    category_ids: list[uuid.UUID] | None,
    scope: ListingScope | None,
    pricing: ListingPricing | None,
    *,
    with_facets: bool,
) -> ListingTotals:
    price = _price(pricing)
    async with read_scope() as session:
        total, price_min, price_max = (
            await session.exec(
                select(func.count(), func.min(price), func.max(price)).where(
                    *_filters(query, category_ids, scope=scope, pricing=pricing)
                )
            )
        ).one()
        if not with_facets:
            return ListingTotals(total=total, price_min=price_min, price_max=price_max)
        brand_rows = (
            await session.exec(
                select(Product.brand, func.count())
                .where(
                    *_filters(query, category_ids, skip="brand", scope=scope, pricing=pricing),
                    col(Product.brand).is_not(None),
                )
                .group_by(col(Product.brand))
                .order_by(col(Product.brand))
            )
        ).all()
        # Attributes and variants' option values (sizes, colours) in one statement.
        attribute_rows = (
            await session.exec(
                select(*_attribute_and_option_counts(query, category_ids, scope, pricing).c)
            )
        ).all()
    counts: dict[str, dict[str, int]] = {}
    for key, value, count in attribute_rows:
        counts.setdefault(key, {})
        counts[key][value] = counts[key].get(value, 0) + count
    grouped = {
        key: [FacetValue(value=value, count=count) for value, count in sorted(values.items())]
        for key, values in sorted(counts.items())
    }
    return ListingTotals(
        total=total,
        price_min=price_min,
        price_max=price_max,
        # The query leaves NULL brands out; the filter only tells the type checker.
        brands=tuple(FacetValue(value=b, count=n) for b, n in brand_rows if b is not None),
        attributes={k: tuple(v[:FACET_VALUES_SHOWN]) for k, v in grouped.items() if len(v) > 1},
    )


async def list_products(
    query: ListingQuery,
    *,
    with_facets: bool = False,
    scope: Deferred[ListingScope] | None = None,
    pricing: Deferred[ListingPricing | None] | None = None,
) -> Listing:
    """Active products matching the query (within `scope`, when given), one page, in a
    total order (cached), at `pricing`'s prices when given (the storefront's: see
    `backend/merchandising/storefront_catalog.py`). Both are built only on a cache miss.

    Totals and facets are cached per filter set, apart from the page: paging through a
    listing or re-sorting it costs one index-only page query, however deep the page.
    """
    category_ids = await _category_ids(query)
    scope_key = scope.key if scope is not None else None
    pricing_key = pricing.key if pricing is not None else None
    built = _BuiltOnce(scope, pricing)

    async def load_totals() -> ListingTotals:
        scope, pricing = await built.get()
        return await _load_listing_totals(
            query, category_ids, scope, pricing, with_facets=with_facets
        )

    async def load_page() -> tuple[ProductSummary, ...]:
        scope, pricing = await built.get()
        return await _load_listing_page(query, category_ids, scope, pricing)

    totals = await cache.cached(
        {
            "listing_totals": to_json(query.filters_only()),
            "facets": with_facets,
            "scope": scope_key,
            "pricing": pricing_key,
        },
        load_totals,
        encode=to_json,
        decode=ListingTotals.from_json,
    )
    items = await cache.cached(
        {"listing_page": to_json(query), "scope": scope_key, "pricing": pricing_key},
        load_page,
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
