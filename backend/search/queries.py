"""Reading the search index (web processes): product search with facets, suggestions.

Whoosh blocks, so each call runs in a thread on the process's cached searcher. Any
text, page or filter value is accepted: nonsense finds nothing, it never raises.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from whoosh import sorting
from whoosh.query import And, Every, NullQuery, Query, Term
from whoosh.searching import Hit

from backend.core.pagination import clamp_page
from backend.search.facets import FacetColumns
from backend.search.matching import (
    TextQuery,
    clean_text,
    commoner_spelling,
    suggestion_query,
    text_query,
)
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


async def search_products(query: SearchQuery) -> SearchResults:
    return await asyncio.to_thread(_search_products, query)


async def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """Product names for search-as-you-type: every typed word starts a word of the
    product's name, brand or category. Words under two letters are not looked up."""
    return await asyncio.to_thread(_suggest, prefix, limit)


def _search_products(query: SearchQuery) -> SearchResults:
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
        # Every match is collected (the facets count them all), so no second pass is
        # needed to find them: no limit, and Whoosh keeps the set of matches.
        results = searcher.search(
            And([matcher, *_filters(query)]), limit=None, sortedby=_SORTS[sort]
        )
        matched = results.docs()
        total = len(matched)
        scored = sort is SearchSort.RELEVANCE
        items = [_hit(hit, scored=scored) for hit in results[(page - 1) * limit : page * limit]]
        did_you_mean = None
        if parsed is not None and parsed.corrected:
            did_you_mean = " ".join(parsed.words)
        elif parsed is not None and total < FEW_RESULTS:
            did_you_mean = commoner_spelling(searcher.reader(), parsed.words)
        return SearchResults(
            items=items,
            total=total,
            page=page,
            limit=limit,
            facets=_facet_columns.count(searcher, matched),
            did_you_mean=did_you_mean,
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


def _filters(query: SearchQuery) -> list[Query]:
    """Filters as required terms that add nothing to the score: Whoosh intersects them
    with the matches instead of collecting every filtered document first."""
    conditions: list[Query] = []
    if category := clean_text(query.category_slug, limit=MAX_FILTER_LENGTH):
        conditions.append(Term("category_slugs", category, boost=0.0))
    if brand := clean_text(query.brand, limit=MAX_FILTER_LENGTH):
        conditions.append(Term("brand_facet", brand, boost=0.0))
    if band := clean_text(query.price_band, limit=MAX_FILTER_LENGTH):
        conditions.append(Term("price_band", band, boost=0.0))
    if query.in_stock_only is True:
        conditions.append(Term("in_stock", True, boost=0.0))
    return conditions


def _hit(hit: Hit, *, scored: bool) -> SearchHit:
    fields = hit.fields()
    return SearchHit(
        id=uuid.UUID(fields["id"]),
        slug=fields["slug"],
        name=fields["name"],
        brand=fields.get("brand_facet"),
        price=Decimal(fields["price_text"]),
        currency=fields["currency"],
        stock_quantity=fields["stock_quantity"],
        image_url=fields.get("image_url"),
        category_name=fields.get("category_name", ""),
        score=float(hit.score) if scored and hit.score is not None else None,
    )


def _integer(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(str(value))
        except ValueError:
            return default
    return value
