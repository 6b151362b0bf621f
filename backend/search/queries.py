"""Reading the search index (web processes): product search with facets, suggestions.

Whoosh blocks, so each call runs in a thread on the process's cached searcher. Any
text, page or filter value is accepted: nonsense finds nothing, it never raises.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from decimal import Decimal
from typing import Any

from whoosh import sorting
from whoosh.query import And, Every, NullQuery, Query, Term
from whoosh.searching import Searcher

from backend.core.pagination import clamp_page
from backend.observability import metrics
from backend.search.documents import IN_STOCK, price_band
from backend.search.facets import FacetColumns, Filters
from backend.search.matching import (
    TextQuery,
    clean_text,
    commoner_spelling,
    suggestion_query,
    text_query,
)
from backend.search.sale_prices import SalePrice, SalePrices, current_sale_prices
from backend.search.schemas import (
    DEFAULT_PAGE_SIZE,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchSort,
    Suggestion,
)
from backend.search.searcher import searchers

MAX_PAGE = 1000
# Fewer results than this, and a far commoner spelling of a word is offered.
FEW_RESULTS = 3
MAX_SUGGESTIONS = 20
MAX_FILTER_LENGTH = 255
MAX_OPTION_FILTERS = 3


async def search_products(query: SearchQuery) -> SearchResults:
    """Results at today's prices: while a sale is live, sorted, filtered by price band,
    counted and shown at the sale prices (`sale_prices.py`)."""
    with metrics.SEARCH_DURATION.time():
        sales = await current_sale_prices()
        return await asyncio.to_thread(_search_products, query, sales)


async def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """Product names for search-as-you-type: every typed word starts a word of the
    product's name, brand or category. Words under two letters are not looked up."""
    return await asyncio.to_thread(_suggest, prefix, limit)


def _search_products(query: SearchQuery, sales: SalePrices | None = None) -> SearchResults:
    page, limit = clamp_page(_integer(query.page, 1), _integer(query.limit, DEFAULT_PAGE_SIZE))
    page = min(page, MAX_PAGE)
    with searchers.use() as searcher:
        if searcher is None:
            return SearchResults(items=[], total=0, page=page, limit=limit)
        text = clean_text(query.text)
        sort = SearchSort.parse(query.sort)
        parsed: TextQuery | None = None
        if text.strip():
            parsed = text_query(searcher.reader(), text)
            matcher: Query = parsed.query
        else:  # no words: browse everything the filters allow
            matcher = Every()
            if sort is SearchSort.RELEVANCE:
                sort = SearchSort.NEWEST
        if matcher is NullQuery:
            return SearchResults(items=[], total=0, page=page, limit=limit)
        # The matches are listed first, unscored (far cheaper than scoring them), and
        # filtered by their column values; the total and the facets need all of them.
        # Then only the requested page is ranked: Whoosh skips blocks of postings that
        # cannot reach it. (Intersecting with a filter's posting list instead walks the
        # whole list when the filter is broad, such as "in stock".)
        filters = _filters(query)
        if sales is not None:
            return _at_sale_prices(
                searcher,
                matcher,
                query=query,
                filters=filters,
                sort=sort,
                sales=sales,
                page=page,
                limit=limit,
                parsed=parsed,
            )
        if isinstance(matcher, Every) and not filters.options:  # browsing: filters are the query
            matcher = And([matcher, *_filter_terms(filters)]) if filters else matcher
            matched = list(searcher.docs_for_query(matcher))
            allowed: set[int] | None = None
        else:
            matched = _facet_columns.keep(searcher, searcher.docs_for_query(matcher), filters)
            allowed = set(matched) if filters else None
        total = len(matched)
        items: list[SearchHit] = []
        # Only when something passed the filters: Whoosh reads an empty `filter` set as no
        # filter at all, and would list every match of the text.
        if total:
            items = [
                _hit(searcher.stored_fields(docnum), score)
                for docnum, score in _ranked_page(
                    searcher, matcher, sort, allowed, page=page, limit=limit
                )
            ]
        return SearchResults(
            items=items,
            total=total,
            page=page,
            limit=limit,
            facets=_facet_columns.count(
                searcher, matched, in_stock_only=query.in_stock_only is True
            ),
            did_you_mean=_did_you_mean(searcher, parsed, total),
        )


def _did_you_mean(searcher: Searcher, parsed: TextQuery | None, total: int) -> str | None:
    if parsed is not None and parsed.corrected:
        return " ".join(parsed.words)
    if parsed is not None and total < FEW_RESULTS:
        return commoner_spelling(searcher.reader(), parsed.words)
    return None


def _ranked_page(
    searcher: Searcher,
    matcher: Query,
    sort: SearchSort,
    allowed: set[int] | None,
    *,
    page: int,
    limit: int,
) -> list[tuple[int, float | None]]:
    """(document, score) of the page asked for, ranked by Whoosh (relevance or newest)
    among the `allowed` documents (None: every match)."""
    scored = sort is SearchSort.RELEVANCE
    results = searcher.search(
        matcher,
        limit=page * limit,
        sortedby=_SORTS[sort],
        scored=scored,
        terms=False,
        filter=allowed,
    )
    return [
        (hit.docnum, float(hit.score) if scored and hit.score is not None else None)
        for hit in results[(page - 1) * limit : page * limit]
    ]


def _at_sale_prices(
    searcher: Searcher,
    matcher: Query,
    *,
    query: SearchQuery,
    filters: Filters,
    sort: SearchSort,
    sales: SalePrices,
    page: int,
    limit: int,
    parsed: TextQuery | None,
) -> SearchResults:
    """The search while a sale is live: the matches filtered by every column but the price
    band, which (like the price sort and the band counts) goes by each product's price
    now; relevance and newest still rank in Whoosh, among the matches kept."""
    columns = _facet_columns.columns(searcher)
    ids, indexed_bands = columns["product_id"], columns["price_band"]
    matched = _facet_columns.keep(
        searcher, searcher.docs_for_query(matcher), dataclasses.replace(filters, price_band="")
    )
    bands = list(indexed_bands)  # per document: its band at today's price
    prices: dict[int, Decimal] = {}
    for d in matched:
        sale = sales.by_product.get(ids[d])
        if sale is not None:
            prices[d] = sale.price
            bands[d] = price_band(sale.price)
    if filters.price_band:
        matched = [d for d in matched if bands[d] == filters.price_band]
    total = len(matched)
    page_docs: list[tuple[int, float | None]] = []
    if total and sort in (SearchSort.PRICE_ASC, SearchSort.PRICE_DESC):
        prices_column = searcher.reader().column_reader("price")  # cents, as indexed
        cents = {d: prices[d] * 100 if d in prices else Decimal(prices_column[d]) for d in matched}
        ranked = sorted(
            matched,
            key=lambda d: (-cents[d] if sort is SearchSort.PRICE_DESC else cents[d], d),
        )
        page_docs = [(d, None) for d in ranked[(page - 1) * limit : page * limit]]
    elif total:
        page_docs = _ranked_page(searcher, matcher, sort, set(matched), page=page, limit=limit)
    items = [
        _hit(searcher.stored_fields(d), score, sales.by_product.get(ids[d]))
        for d, score in page_docs
    ]
    return SearchResults(
        items=items,
        total=total,
        page=page,
        limit=limit,
        facets=_facet_columns.count(
            searcher, matched, in_stock_only=query.in_stock_only is True, bands=bands
        ),
        did_you_mean=_did_you_mean(searcher, parsed, total),
    )


def _suggest(prefix: str, limit: int) -> list[Suggestion]:
    limit = min(max(1, _integer(limit, 8)), MAX_SUGGESTIONS)
    query = suggestion_query(prefix)
    if query is NullQuery:
        return []
    with searchers.use() as searcher:
        if searcher is None:
            return []
        return [
            Suggestion(name=hit["name"], slug=hit["slug"])
            for hit in searcher.search(query, limit=limit)
        ]


_SORTS: dict[SearchSort, sorting.FacetType | None] = {
    SearchSort.RELEVANCE: None,
    SearchSort.PRICE_ASC: sorting.FieldFacet("price"),
    SearchSort.PRICE_DESC: sorting.FieldFacet("price", reverse=True),
    SearchSort.NEWEST: sorting.FieldFacet("created_at", reverse=True),
}

_facet_columns = FacetColumns()


def _filters(query: SearchQuery) -> Filters:
    return Filters(
        category_slug=clean_text(query.category_slug, limit=MAX_FILTER_LENGTH),
        brand=clean_text(query.brand, limit=MAX_FILTER_LENGTH),
        price_band=clean_text(query.price_band, limit=MAX_FILTER_LENGTH),
        availability=IN_STOCK if query.in_stock_only is True else "",
        options=tuple(
            (clean_text(name, limit=60).lower(), clean_text(value, limit=60))
            for name, value in query.options[:MAX_OPTION_FILTERS]
            if name and value
        ),
    )


def _filter_terms(filters: Filters) -> list[Query]:
    terms: list[Query] = []
    if filters.category_slug:
        terms.append(Term("category_slugs", filters.category_slug))
    if filters.brand:
        terms.append(Term("brand_facet", filters.brand))
    if filters.price_band:
        terms.append(Term("price_band", filters.price_band))
    if filters.availability:
        terms.append(Term("availability", filters.availability))
    return terms


def _hit(fields: dict[str, Any], score: float | None, sale: SalePrice | None = None) -> SearchHit:
    """A card from a document's stored fields; on sale, at the sale price with the catalog
    price (or a higher compare-at price) as what it was."""
    price = Decimal(fields["price_text"])
    compare_at = Decimal(fields["compare_at_text"]) if fields.get("compare_at_text") else None
    if sale is not None:
        compare_at = max(compare_at or price, price)
    return SearchHit(
        id=uuid.UUID(fields["id"]),
        slug=fields["slug"],
        name=fields["name"],
        brand=fields.get("brand_facet"),
        price=sale.price if sale else price,
        currency=fields["currency"],
        stock_quantity=fields["stock_quantity"],
        image_url=fields.get("image_url"),
        category_name=fields.get("category_name", ""),
        score=score,
        compare_at_price=compare_at,
        sale_label=sale.badge if sale else "",
    )


def _integer(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(str(value))
        except ValueError:
            return default
    return value
