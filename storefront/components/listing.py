"""A product listing page's body: filters (brand, attributes, stock, rating, price),
sorting, the product grid and pages. Categories and collections show one each; everything
lives in the URL query, so a link reproduces the view and Back works, and every filter is
an ordinary link to the next URL.

`ListingState` holds what the body shows; a page's own state (category, collection)
extends it and fills it with `_show_listing` from its `load`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import reflex as rx

from backend.catalog.listing import NEWEST_FIRST, ListingQuery, SortField, SortOrder
from backend.catalog.schemas import Listing
from backend.core.money import format_money
from backend.settings import get_settings
from storefront.components.product_card import product_grid
from ui import plain_radix as plain
from ui.access import PublicState
from ui.viewmodels import ProductCard, attribute_label, product_card

PAGE_SIZE = 24
# Where the filters move from above the grid to beside it: the third step of a responsive
# list (`["…", "…", "…"]` style values), Reflex's 48em breakpoint.
WIDER_SCREENS = "@media screen and (min-width: 48em)"
SORTS = (
    ("Newest", "created_at", "desc"),
    ("Price: low to high", "price", "asc"),
    ("Price: high to low", "price", "desc"),
    ("Name: A to Z", "name", "asc"),
    ("Highest rated", "rating", "desc"),
)
FEATURED = ("Featured", "featured", "asc")  # a hand-ordered collection's own order
RATING_FILTERS = (4, 3, 2, 1)  # "4★ & up" …


@dataclasses.dataclass(frozen=True)
class FilterOption:
    label: str
    count: int
    url: str
    active: bool


@dataclasses.dataclass(frozen=True)
class FilterGroup:
    title: str
    options: list[FilterOption]


@dataclasses.dataclass(frozen=True)
class RatingFilter:
    label: str  # "4★ & up"
    url: str  # the listing with this minimum (or without it, when it is the active one)
    active: bool


@dataclasses.dataclass(frozen=True)
class SortOption:
    label: str
    value: str  # "field:order"


def _url(path: str, query: ListingQuery, default_sort: tuple[SortField, SortOrder]) -> str:
    params = query.to_params(default_sort)
    return path + ("?" + urlencode(params) if params else "")


def _toggle_brand(query: ListingQuery, brand: str) -> ListingQuery:
    brands = set(query.brands) ^ {brand}
    return dataclasses.replace(query, brands=tuple(sorted(brands)), page=1)


def _toggle_attribute(query: ListingQuery, name: str, value: str) -> ListingQuery:
    pairs = set(query.attributes) ^ {(name, value)}
    return dataclasses.replace(query, attributes=tuple(sorted(pairs)), page=1)


def _filter_groups(
    url: Callable[[ListingQuery], str], query: ListingQuery, listing: Listing
) -> list[FilterGroup]:
    groups = []
    if listing.brands:
        groups.append(
            FilterGroup(
                title="Brand",
                options=[
                    FilterOption(
                        label=facet.value,
                        count=facet.count,
                        url=url(_toggle_brand(query, facet.value)),
                        active=facet.value in query.brands,
                    )
                    for facet in listing.brands
                ],
            )
        )
    for name, facets in sorted(listing.attributes.items()):
        groups.append(
            FilterGroup(
                title=attribute_label(name),
                options=[
                    FilterOption(
                        label=facet.value,
                        count=facet.count,
                        url=url(_toggle_attribute(query, name, facet.value)),
                        active=(name, facet.value) in query.attributes,
                    )
                    for facet in facets
                ],
            )
        )
    return groups


class ListingState(PublicState):
    """The listing part of a category's or collection's page."""

    base_path: str = ""  # "/categories/mugs"
    products: list[ProductCard] = []
    summary: str = ""
    filter_groups: list[FilterGroup] = []
    in_stock_only: bool = False
    in_stock_url: str = ""
    rating_filters: list[RatingFilter] = []
    clear_url: str = ""
    has_filters: bool = False
    sort_value: str = "created_at:desc"
    sort_options: list[SortOption] = [SortOption(label, f"{f}:{o}") for label, f, o in SORTS]
    min_price: str = ""
    max_price: str = ""
    price_hint: str = ""
    page: int = 1
    page_count: int = 1
    previous_url: str = ""
    next_url: str = ""
    _query: ListingQuery = ListingQuery()
    _default_sort: tuple[SortField, SortOrder] = NEWEST_FIRST

    def _url(self, query: ListingQuery) -> str:
        return _url(self.base_path, query, self._default_sort)

    def _show_listing(
        self,
        base_path: str,
        query: ListingQuery,
        listing: Listing,
        *,
        default_sort: tuple[SortField, SortOrder] = NEWEST_FIRST,
    ) -> None:
        self.base_path, self._query, self._default_sort = base_path, query, default_sort
        sorts = (FEATURED, *SORTS) if default_sort[0] == "featured" else SORTS
        self.sort_options = [SortOption(label, f"{f}:{o}") for label, f, o in sorts]
        self.products = [product_card(p) for p in listing.items]
        self.summary = f"{listing.total} product" + ("" if listing.total == 1 else "s")
        self.filter_groups = _filter_groups(self._url, query, listing)
        self.in_stock_only = query.in_stock_only
        self.in_stock_url = self._url(
            dataclasses.replace(query, in_stock_only=not query.in_stock_only, page=1)
        )
        self.rating_filters = [
            RatingFilter(
                label=f"{stars}★ & up",
                url=self._url(
                    dataclasses.replace(
                        query, min_rating=None if query.min_rating == stars else stars, page=1
                    )
                ),
                active=query.min_rating == stars,
            )
            for stars in RATING_FILTERS
        ]
        self.clear_url = self._url(ListingQuery(sort_by=query.sort_by, order=query.order))
        self.has_filters = bool(
            query.brands
            or query.attributes
            or query.in_stock_only
            or query.min_rating is not None
            or query.min_price is not None
            or query.max_price is not None
        )
        self.sort_value = f"{query.sort_by}:{query.order}"
        self.min_price = "" if query.min_price is None else str(query.min_price)
        self.max_price = "" if query.max_price is None else str(query.max_price)
        low, high = listing.price_min, listing.price_max
        currency = get_settings().shop_currency
        self.price_hint = (
            f"From {format_money(low, currency)} to {format_money(high, currency)}"
            if low is not None and high is not None
            else ""
        )
        self.page, self.page_count = listing.page, listing.page_count
        self.previous_url = self._url(query.with_page(query.page - 1)) if query.page > 1 else ""
        self.next_url = (
            self._url(query.with_page(query.page + 1)) if query.page < listing.page_count else ""
        )

    @rx.event
    def sort(self, value: str) -> rx.event.EventSpec | None:
        field, _, order = str(value).partition(":")
        if (field, order) not in {(f, o) for _, f, o in (FEATURED, *SORTS)}:
            return None
        query = dataclasses.replace(self._query, sort_by=field, order=order, page=1)  # type: ignore[arg-type]
        return rx.redirect(self._url(query))

    @rx.event
    def filter_price(self, form_data: dict[str, object]) -> rx.event.EventSpec:
        def amount(key: str) -> Decimal | None:
            try:
                value = Decimal(str(form_data.get(key) or "").strip().replace(",", ""))
            except InvalidOperation:
                return None
            return value if value.is_finite() and value >= 0 else None

        low, high = amount("min_price"), amount("max_price")
        if low is not None and high is not None and low > high:
            low, high = high, low
        query = dataclasses.replace(self._query, min_price=low, max_price=high, page=1)
        return rx.redirect(self._url(query))


def checkbox_mark(checked: rx.Var[bool]) -> rx.Component:
    """A filter's tick box. Two static icons, not one icon named at run time: a name from
    state makes the page load lucide's loader for all 1,600 icons (a 237 KB chunk)."""
    return rx.cond(checked, rx.icon("square-check", size=16), rx.icon("square", size=16))


def _filter_link(*label: rx.Component, checked: rx.Var[bool], href: rx.Var[str]) -> rx.Component:
    """A filter as a link with its tick box, plain elements in Radix's looks: a listing
    shows a few dozen (`.filter-link` in `ui/theme.py`: 24 px tall at least, a finger's
    target, WCAG 2.5.8)."""
    return plain.link(
        plain.flex(checkbox_mark(checked), *label, align="center", gap="2"),
        href=href,
        class_name="filter-link",
        # A filter link says whether it is the one applied (aria-pressed is for buttons).
        aria_current=rx.cond(checked, "true", "false"),
    )


def in_stock_filter(checked: rx.Var[bool], href: rx.Var[str]) -> rx.Component:
    return _filter_link(plain.text("In stock only", size="2"), checked=checked, href=href)


def filter_option(option: rx.Var[FilterOption]) -> rx.Component:
    return _filter_link(
        plain.text(option.label, size="2"),
        plain.text("(", option.count, ")", size="1", accent="gray"),
        checked=option.active,
        href=option.url,
    )


def _rating_filter(option: rx.Var[RatingFilter]) -> rx.Component:
    return _filter_link(plain.text(option.label, size="2"), checked=option.active, href=option.url)


def _filter_list(title: rx.Var[str] | str, filters: rx.Component) -> rx.Component:
    """A titled group of filter links, named by its title for screen readers."""
    return plain.flex(
        plain.text(title, size="2", weight="bold"),
        filters,
        direction="column",
        align="start",
        gap="1",
        role="group",
        aria_label=title,
    )


def filter_group(group: rx.Var[FilterGroup]) -> rx.Component:
    return _filter_list(group.title, rx.foreach(group.options, filter_option))


def _filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Filters", size="3", as_="h2"),
            rx.cond(
                ListingState.has_filters,
                rx.link("Clear all", href=ListingState.clear_url, size="2"),
            ),
            justify="between",
            width="100%",
        ),
        in_stock_filter(ListingState.in_stock_only, ListingState.in_stock_url),
        _filter_list("Customer rating", rx.foreach(ListingState.rating_filters, _rating_filter)),
        rx.form(
            rx.vstack(
                rx.text("Price", weight="bold", size="2"),
                rx.hstack(
                    rx.input(
                        name="min_price",
                        placeholder="Min",
                        default_value=ListingState.min_price,
                        aria_label="Minimum price",
                        input_mode="decimal",
                        size="2",
                        width="80px",
                        key=ListingState.min_price,
                    ),
                    rx.text("–"),
                    rx.input(
                        name="max_price",
                        placeholder="Max",
                        default_value=ListingState.max_price,
                        aria_label="Maximum price",
                        input_mode="decimal",
                        size="2",
                        width="80px",
                        key=ListingState.max_price,
                    ),
                    rx.button("Go", type="submit", size="2", variant="soft"),
                    spacing="2",
                    align="center",
                ),
                rx.text(ListingState.price_hint, size="1", color_scheme="gray"),
                spacing="1",
            ),
            on_submit=ListingState.filter_price,
            reset_on_submit=False,
        ),
        rx.foreach(ListingState.filter_groups, filter_group),
        spacing="4",
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.cond(
            ListingState.previous_url != "", rx.link("← Previous", href=ListingState.previous_url)
        ),
        rx.text(
            "Page ",
            ListingState.page,
            " of ",
            ListingState.page_count,
            size="2",
            color_scheme="gray",
        ),
        rx.cond(ListingState.next_url != "", rx.link("Next →", href=ListingState.next_url)),
        spacing="4",
        justify="center",
        width="100%",
        padding_top="16px",
    )


def filter_panel(filters: rx.Component) -> rx.Component:
    """A listing's filters: folded away above the grid on phones, open beside it on wider
    screens. One panel for both, its fold undone by CSS on wider screens: rendered twice
    (one copy hidden per screen size), they were ~300 elements a phone built for nothing,
    a quarter of a category page (issue #19). A browser that cannot style a fold's
    content (`::details-content`) keeps the fold on every screen."""
    return rx.el.details(
        rx.el.summary("Filters", cursor="pointer", padding_y="8px", font_weight="bold"),
        filters,
        width="100%",
        flex_shrink="0",
        style={
            WIDER_SCREENS: {"width": "220px"},
            "@supports selector(::details-content)": {
                WIDER_SCREENS: {
                    "& > summary": {"display": "none"},
                    "&::details-content": {"content_visibility": "visible"},
                }
            },
        },
    )


def listing_body() -> rx.Component:
    """Filters beside (on phones, folded above) the sorted grid and its pager."""
    return rx.flex(
        filter_panel(_filters()),
        rx.vstack(
            rx.hstack(
                rx.text(ListingState.summary, color_scheme="gray", size="2"),
                rx.select.root(
                    rx.select.trigger(aria_label="Sort by"),
                    rx.select.content(
                        rx.foreach(
                            ListingState.sort_options,
                            lambda option: rx.select.item(option.label, value=option.value),
                        )
                    ),
                    value=ListingState.sort_value,
                    on_change=ListingState.sort,
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.cond(
                ListingState.products.length() == 0,
                rx.vstack(
                    rx.text("No products match these filters."),
                    rx.link("Clear the filters", href=ListingState.clear_url),
                ),
                product_grid(ListingState.products),
            ),
            rx.cond(ListingState.page_count > 1, _pager()),
            width="100%",
            spacing="3",
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        gap="24px",
        width="100%",
    )
