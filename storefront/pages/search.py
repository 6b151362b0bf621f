"""Search results: relevance-ranked, typo-tolerant, with facets to narrow them down. The
query and every filter live in the URL, so results can be shared and Back works."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import reflex as rx

from backend.media.thumbnails import thumbnail_url
from backend.search import queries as search
from backend.search.schemas import SearchHit, SearchQuery, SearchResults, SearchSort
from storefront.components.layout import shop_page
from storefront.components.listing import (
    FilterGroup,
    FilterOption,
    SortOption,
    filter_group,
    filter_panel,
    in_stock_filter,
)
from storefront.components.product_card import product_grid
from storefront.state import MAX_QUERY_LENGTH
from ui.access import PublicState
from ui.viewmodels import ProductCard, initials_for, product_url, swatch_for

PAGE_SIZE = 24
SORTS = (
    ("Best match", SearchSort.RELEVANCE),
    ("Newest", SearchSort.NEWEST),
    ("Price: low to high", SearchSort.PRICE_ASC),
    ("Price: high to low", SearchSort.PRICE_DESC),
)


def _card(hit: SearchHit) -> ProductCard:
    return ProductCard(
        id=str(hit.id),
        url=product_url(hit.slug),
        name=hit.name,
        brand=hit.brand or "",
        price=hit.price_display,
        stock=hit.stock_display,
        in_stock=hit.stock_quantity > 0,
        image=thumbnail_url(hit.image_url, 480) if hit.image_url else "",
        initials=initials_for(hit.name, hit.brand),
        swatch=swatch_for(hit.slug),
        compare_at=hit.compare_at_display,
        badge=hit.sale_label or ("Sale" if hit.compare_at_display else ""),
    )


def _params(query: SearchQuery) -> dict[str, str]:
    params = {"q": query.text}
    if query.category_slug:
        params["category"] = query.category_slug
    if query.brand:
        params["brand"] = query.brand
    if query.price_band:
        params["price"] = query.price_band
    if query.in_stock_only:
        params["in_stock"] = "1"
    if query.sort is not SearchSort.RELEVANCE:
        params["sort"] = query.sort.value
    if query.page > 1:
        params["page"] = str(query.page)
    for name, value in query.options:  # sizes and colours: ?size=M&colour=Navy
        params[name] = value
    return params


def search_url(query: SearchQuery) -> str:
    return "/search?" + urlencode(_params(query))


def _toggled(query: SearchQuery, **change: object) -> SearchQuery:
    return dataclasses.replace(query, page=1, **change)  # type: ignore[arg-type]


def _facet_groups(query: SearchQuery, results: SearchResults) -> list[FilterGroup]:
    facets = results.facets
    groups: list[FilterGroup] = []
    if facets["category"]:
        groups.append(
            FilterGroup(
                "Category",
                [
                    FilterOption(
                        label=f.name,
                        count=f.product_count,
                        active=query.category_slug == f.slug,
                        url=search_url(
                            _toggled(
                                query,
                                category_slug=None if query.category_slug == f.slug else f.slug,
                            )
                        ),
                    )
                    for f in facets["category"][:12]
                ],
            )
        )
    if facets["brand"]:
        groups.append(
            FilterGroup(
                "Brand",
                [
                    FilterOption(
                        label=f.name,
                        count=f.product_count,
                        active=query.brand == f.name,
                        url=search_url(
                            _toggled(query, brand=None if query.brand == f.name else f.name)
                        ),
                    )
                    for f in facets["brand"][:15]
                ],
            )
        )
    if facets["price_band"]:
        groups.append(
            FilterGroup(
                "Price",
                [
                    FilterOption(
                        label=f.label,
                        count=f.product_count,
                        active=query.price_band == f.label,
                        url=search_url(
                            _toggled(
                                query, price_band=None if query.price_band == f.label else f.label
                            )
                        ),
                    )
                    for f in facets["price_band"]
                ],
            )
        )
    return groups + _option_groups(query, results)


_QUERY_PARAMETERS = frozenset({"q", "category", "brand", "price", "in_stock", "sort", "page"})
MAX_OPTION_FILTERS = 3


def _with_option(query: SearchQuery, name: str, value: str) -> SearchQuery:
    """The query with `name` set to `value`, or without it when it already is."""
    others = tuple((n, v) for n, v in query.options if n != name)
    chosen = (name, value) in query.options
    return _toggled(query, options=others if chosen else (*others, (name, value)))


def _option_groups(query: SearchQuery, results: SearchResults) -> list[FilterGroup]:
    by_name: dict[str, list[FilterOption]] = {}
    for facet in results.facets["options"]:
        by_name.setdefault(facet.name, []).append(
            FilterOption(
                label=facet.value,
                count=facet.product_count,
                active=(facet.name, facet.value) in query.options,
                url=search_url(_with_option(query, facet.name, facet.value)),
            )
        )
    return [FilterGroup(name.capitalize(), options[:20]) for name, options in by_name.items()]


def parse_search_query(params: dict[str, str]) -> SearchQuery:
    """From URL parameters, leniently: anything odd falls back to a sensible default."""
    try:
        page = max(1, min(int(params.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    return SearchQuery(
        text=(params.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        page=page,
        limit=PAGE_SIZE,
        sort=SearchSort.parse(params.get("sort") or "relevance"),
        category_slug=(params.get("category") or "").strip()[:120] or None,
        brand=(params.get("brand") or "").strip()[:100] or None,
        price_band=(params.get("price") or "").strip()[:40] or None,
        in_stock_only=(params.get("in_stock") or "") in ("1", "true", "on"),
        # Any other parameter names an option value a variant must have (size=M).
        options=tuple(
            (name.strip().lower()[:40], value.strip()[:60])
            for name, value in params.items()
            if name not in _QUERY_PARAMETERS and name.strip() and value.strip()
        )[:MAX_OPTION_FILTERS],
    )


class SearchState(PublicState):
    text: str = ""
    title: str = "Search"
    summary: str = ""
    products: list[ProductCard] = []
    did_you_mean: str = ""
    did_you_mean_url: str = ""
    empty_message: str = ""
    filter_groups: list[FilterGroup] = []
    in_stock_only: bool = False
    in_stock_url: str = ""
    sort_value: str = SearchSort.RELEVANCE.value
    sort_options: list[SortOption] = [SortOption(label, sort.value) for label, sort in SORTS]
    page: int = 1
    page_count: int = 1
    previous_url: str = ""
    next_url: str = ""
    _query: SearchQuery = SearchQuery()

    @rx.var
    def tab_title(self) -> str:
        return self.title

    @rx.event
    async def load(self) -> None:
        query = parse_search_query(dict(self.router.url.query_parameters))
        self._query, self.text = query, query.text
        results = await search.search_products(query)
        if not results.items and query.page > results.page_count:
            query = dataclasses.replace(query, page=results.page_count)
            results = await search.search_products(query)
        self.title = f"Results for “{query.text}”" if query.text else "All products"
        self.products = [_card(hit) for hit in results.items]
        self.summary = f"{results.total} product" + ("" if results.total == 1 else "s")
        corrected = results.did_you_mean or ""
        self.did_you_mean = corrected
        self.did_you_mean_url = search_url(SearchQuery(text=corrected)) if corrected else ""
        self.empty_message = (
            f"No products match “{query.text}”. Check the spelling or try a more general word."
            if results.total == 0 and query.text
            else ""
        )
        self.filter_groups = _facet_groups(query, results)
        self.in_stock_only = query.in_stock_only
        self.in_stock_url = search_url(_toggled(query, in_stock_only=not query.in_stock_only))
        self.sort_value = query.sort.value
        self.page, self.page_count = results.page, results.page_count
        self.previous_url = (
            search_url(dataclasses.replace(query, page=query.page - 1)) if query.page > 1 else ""
        )
        self.next_url = (
            search_url(dataclasses.replace(query, page=query.page + 1)) if results.has_next else ""
        )

    @rx.event
    def sort(self, value: str) -> rx.event.EventSpec:
        return rx.redirect(search_url(_toggled(self._query, sort=SearchSort.parse(value))))


def _filters() -> rx.Component:
    return rx.vstack(
        in_stock_filter(SearchState.in_stock_only, SearchState.in_stock_url),
        rx.foreach(SearchState.filter_groups, filter_group),
        spacing="4",
        width="100%",
    )


def search_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading(SearchState.title, size="7", as_="h1"),
            rx.cond(
                SearchState.did_you_mean != "",
                rx.text(
                    "Did you mean ",
                    rx.link(SearchState.did_you_mean, href=SearchState.did_you_mean_url),
                    "?",
                    size="3",
                ),
            ),
            rx.cond(SearchState.empty_message != "", rx.text(SearchState.empty_message)),
            rx.flex(
                filter_panel(_filters()),
                rx.vstack(
                    rx.hstack(
                        rx.text(SearchState.summary, color_scheme="gray", size="2"),
                        rx.select.root(
                            rx.select.trigger(aria_label="Sort by"),
                            rx.select.content(
                                rx.foreach(
                                    SearchState.sort_options,
                                    lambda option: rx.select.item(option.label, value=option.value),
                                )
                            ),
                            value=SearchState.sort_value,
                            on_change=SearchState.sort,
                        ),
                        justify="between",
                        align="center",
                        width="100%",
                    ),
                    product_grid(SearchState.products),
                    rx.cond(
                        SearchState.page_count > 1,
                        rx.hstack(
                            rx.cond(
                                SearchState.previous_url != "",
                                rx.link("← Previous", href=SearchState.previous_url),
                            ),
                            rx.text(
                                "Page ",
                                SearchState.page,
                                " of ",
                                SearchState.page_count,
                                size="2",
                                color_scheme="gray",
                            ),
                            rx.cond(
                                SearchState.next_url != "",
                                rx.link("Next →", href=SearchState.next_url),
                            ),
                            spacing="4",
                            justify="center",
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                gap="24px",
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
