"""What a product listing asks for (the seed's query parameters plus attribute and stock
filters), parsed from untrusted query strings in one of two ways:

- strictly, for the API: anything wrong is a 400 with a message per parameter;
- leniently, for storefront URLs people edit by hand: out-of-range values are clamped,
  unknown ones dropped, and the page still shows something sensible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from backend.core.errors import InvalidInputError
from backend.core.pagination import MAX_PAGE_SIZE

SortField = Literal["price", "name", "created_at", "rating", "featured"]
SortOrder = Literal["asc", "desc"]
# "featured" is a hand-ordered collection's own order (the newest first elsewhere).
SORT_FIELDS: tuple[SortField, ...] = ("price", "name", "created_at", "rating", "featured")
NEWEST_FIRST: tuple[SortField, SortOrder] = ("created_at", "desc")
# Newest and highest rated come first by default; price and name from the lowest.
DESCENDING_BY_DEFAULT = frozenset({"created_at", "rating"})
DEFAULT_LIMIT = 20
MAX_PAGE = 100_000
# Query parameters that are not attribute filters.
RESERVED = frozenset(
    {
        "page",
        "limit",
        "category",
        "brand",
        "min_price",
        "max_price",
        "sort_by",
        "order",
        "in_stock",
        "min_rating",
        "q",
    }
)
MAX_ATTRIBUTE_FILTERS = 10


@dataclass(frozen=True)
class ListingQuery:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    category: str | None = None  # slug; includes its subcategories
    brands: tuple[str, ...] = ()  # brand names
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort_by: SortField = "created_at"
    order: SortOrder = "desc"
    in_stock_only: bool = False
    attributes: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (name, value)
    min_rating: int | None = None  # 1-5: products whose average is at least this

    def with_page(self, page: int) -> ListingQuery:
        return replace(self, page=page)

    def filters_only(self) -> ListingQuery:
        """The same filters with page, size and sort at their defaults: what totals and
        facets depend on, so every page and sort order of one filter set shares them."""
        return replace(self, page=1, limit=DEFAULT_LIMIT, sort_by="created_at", order="desc")

    def to_params(self, default_sort: tuple[SortField, SortOrder] = NEWEST_FIRST) -> dict[str, str]:
        """Back to URL query parameters (defaults left out), for links and pagers."""
        params: dict[str, str] = {}
        if self.brands:
            params["brand"] = ",".join(self.brands)
        if self.min_price is not None:
            params["min_price"] = str(self.min_price)
        if self.max_price is not None:
            params["max_price"] = str(self.max_price)
        if (self.sort_by, self.order) != default_sort:
            params["sort_by"], params["order"] = self.sort_by, self.order
        if self.in_stock_only:
            params["in_stock"] = "1"
        if self.min_rating is not None:
            params["min_rating"] = str(self.min_rating)
        for name, value in self.attributes:
            params[name] = value
        if self.page != 1:
            params["page"] = str(self.page)
        return params


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def parse_listing_query(
    params: Mapping[str, str],
    *,
    strict: bool,
    default_sort: tuple[SortField, SortOrder] = NEWEST_FIRST,
) -> ListingQuery:
    """Turn query parameters into a ListingQuery (see the module docstring); without a
    `sort_by`, the listing's default order."""
    problems: dict[str, str] = {}

    def integer(name: str, default: int, low: int, high: int) -> int:
        raw = params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            problems[name] = f"{name} must be a whole number."
            return default
        if not low <= value <= high:
            problems[name] = f"{name} must be between {low} and {high}."
            return min(max(value, low), high)
        return value

    page = integer("page", 1, 1, MAX_PAGE)
    limit = integer("limit", DEFAULT_LIMIT, 1, MAX_PAGE_SIZE)

    prices: dict[str, Decimal | None] = {}
    for name in ("min_price", "max_price"):
        raw = params.get(name)
        value = _decimal(raw) if raw else None
        if raw and (value is None or value < 0):
            problems[name] = f"{name} must be a number of zero or more."
            value = None
        prices[name] = value
    min_price, max_price = prices["min_price"], prices["max_price"]
    if min_price is not None and max_price is not None and min_price > max_price:
        problems["max_price"] = "max_price must not be below min_price."
        min_price, max_price = max_price, min_price

    sort_by = params.get("sort_by") or default_sort[0]
    if sort_by not in SORT_FIELDS:
        problems["sort_by"] = f"sort_by must be one of {', '.join(SORT_FIELDS)}."
        sort_by = default_sort[0]
    default_order = "desc" if sort_by in DESCENDING_BY_DEFAULT else "asc"
    if not params.get("sort_by"):
        default_order = default_sort[1]
    order = (params.get("order") or default_order).lower()
    if order not in ("asc", "desc"):
        problems["order"] = "order must be asc or desc."
        order = default_order

    brands = tuple(
        sorted({b.strip()[:100] for b in (params.get("brand") or "").split(",") if b.strip()})
    )[:20]
    attributes = tuple(
        sorted(
            (name, value.strip()[:100])
            for name, value in params.items()
            if name not in RESERVED and value.strip() and name.replace("_", "").isalnum()
        )
    )[:MAX_ATTRIBUTE_FILTERS]
    category = (params.get("category") or "").strip()[:120] or None
    # "4" means four stars and up; nonsense (lenient mode) means no rating filter.
    stars = integer("min_rating", 0, 1, 5)
    min_rating = stars if 1 <= stars <= 5 else None

    if strict and problems:
        raise InvalidInputError("Some query parameters are not valid.", problems)
    return ListingQuery(
        page=page,
        limit=limit,
        category=category,
        brands=brands,
        min_price=min_price,
        max_price=max_price,
        sort_by=sort_by,
        order=order,  # type: ignore[arg-type]  # checked against ("asc", "desc") above
        in_stock_only=(params.get("in_stock") or "").lower() in ("1", "true", "yes", "on"),
        attributes=attributes,
        min_rating=min_rating,
    )
