"""Shapes of search: what a page asks for and what it gets back (money preformatted)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, TypedDict

from backend.catalog.schemas import stock_label
from backend.core.money import format_money

DEFAULT_PAGE_SIZE = 24


class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"

    @classmethod
    def parse(cls, value: object) -> SearchSort:
        """Any value from a URL: unknown ones mean relevance."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.RELEVANCE


@dataclass(frozen=True)
class SearchQuery:
    """One search as a shopper asked for it. Out-of-range values are clamped, never refused."""

    text: str = ""
    page: int = 1  # from 1
    limit: int = DEFAULT_PAGE_SIZE  # 1 to 100
    sort: SearchSort = SearchSort.RELEVANCE
    category_slug: str | None = None  # the category or any of its subcategories
    brand: str | None = None  # exactly as a brand facet names it
    price_band: str | None = None  # a label of `PRICE_BANDS`, as the facet names it
    in_stock_only: bool = False
    # Option values one variant must have, e.g. (("size", "M"), ("colour", "Navy")).
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchHit:
    """A result card, read from the index alone."""

    id: uuid.UUID
    slug: str
    name: str
    brand: str | None
    price: Decimal
    currency: str
    stock_quantity: int
    image_url: str | None
    category_name: str
    score: float | None  # relevance; None when sorted by price or date
    compare_at_price: Decimal | None = None  # the "was" price, above the price
    sale_label: str = ""  # under a live sale: its badge, "−20%"

    @property
    def compare_at_display(self) -> str:
        if self.compare_at_price is None or self.compare_at_price <= self.price:
            return ""
        return format_money(self.compare_at_price, self.currency)

    @property
    def price_display(self) -> str:
        return format_money(self.price, self.currency)

    @property
    def stock_display(self) -> str:
        return stock_label(self.stock_quantity)


class CategoryFacet(NamedTuple):
    slug: str
    name: str
    product_count: int


class BrandFacet(NamedTuple):
    name: str
    product_count: int


class OptionFacet(NamedTuple):
    """Products having a variant (in stock, with "in stock only") with this value."""

    name: str  # the option's name, lower-cased: "size"
    value: str
    product_count: int


class PriceBandFacet(NamedTuple):
    label: str
    product_count: int


class SearchFacets(TypedDict):
    """Counts over everything the current query (text and filters) matches. A product
    counts for its category and every ancestor of it."""

    category: list[CategoryFacet]  # most products first
    brand: list[BrandFacet]  # most products first
    price_band: list[PriceBandFacet]  # cheapest band first
    options: list[OptionFacet]  # by option name, then most products first


def no_facets() -> SearchFacets:
    return {"category": [], "brand": [], "price_band": [], "options": []}


@dataclass(frozen=True)
class SearchResults:
    items: list[SearchHit]
    total: int
    page: int
    limit: int
    facets: SearchFacets = field(default_factory=no_facets)
    # The query with misspelt words corrected: set when results are for the corrected
    # words, or when the query found few products and a far commoner spelling exists.
    did_you_mean: str | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count


@dataclass(frozen=True)
class Suggestion:
    name: str
    slug: str


@dataclass(frozen=True)
class SyncResult:
    indexed: int  # active products written
    removed: int  # inactive or deleted products taken out
    no_index: bool = False  # nothing done: no index was built yet
    queued: bool = False  # another writer held the index: it writes these products too


@dataclass(frozen=True)
class RebuildResult:
    read: int  # products read from the catalog
    indexed: int  # of which active, now searchable
    seconds: float

    @property
    def products_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0
