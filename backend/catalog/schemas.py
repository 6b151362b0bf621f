"""Shapes the catalog hands to pages, the API and jobs. Money is formatted on the way out.

Each shape can travel through the cache as JSON (`to_json` / `from_json`).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.catalog.ratings import shown_average
from backend.core.money import format_money
from backend.core.serialization import json_ready

DEFAULT_LOW_STOCK_THRESHOLD = 5
# A product page offers quantities up to this many (fewer when fewer are left).
MAX_QUANTITY_CHOICE = 10


def stock_label(stock_quantity: int, low_stock_threshold: int = DEFAULT_LOW_STOCK_THRESHOLD) -> str:
    """What a shopper reads about availability."""
    if stock_quantity <= 0:
        return "Out of stock"
    if stock_quantity <= max(low_stock_threshold, 1):
        return f"Only {stock_quantity} left"
    return "In stock"


def stock_change_shown(before: int, after: int, low_stock_threshold: int) -> bool:
    """Whether a shopper could tell stock `before` from `after`: its label (`stock_label`),
    whether it is in stock (filters, sort order) or the quantities a page offers. Above
    all three bounds, 1,000 and 999 look the same."""
    return min(before, after) <= max(low_stock_threshold, 1, MAX_QUANTITY_CHOICE)


def to_json(value: Any) -> Any:
    """Dataclasses (nested too) → JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_ready(dataclasses.asdict(value))
    return value


@dataclass(frozen=True)
class CategoryNode:
    id: uuid.UUID
    name: str
    slug: str
    parent_id: uuid.UUID | None
    position: int
    description: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CategoryNode:
        return cls(
            id=uuid.UUID(data["id"]),
            name=data["name"],
            slug=data["slug"],
            parent_id=uuid.UUID(data["parent_id"]) if data["parent_id"] else None,
            position=data["position"],
            description=data["description"],
        )


@dataclass(frozen=True)
class CategoryTree:
    """All categories, with the tree walks pages need (children, ancestors, subtree)."""

    nodes: tuple[CategoryNode, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CategoryTree:
        return cls(nodes=tuple(CategoryNode.from_json(node) for node in data["nodes"]))

    def by_slug(self, slug: str) -> CategoryNode | None:
        return next((node for node in self.nodes if node.slug == slug), None)

    def by_id(self, category_id: uuid.UUID) -> CategoryNode | None:
        return next((node for node in self.nodes if node.id == category_id), None)

    def children(self, parent_id: uuid.UUID | None) -> list[CategoryNode]:
        return sorted(
            (node for node in self.nodes if node.parent_id == parent_id),
            key=lambda node: (node.position, node.name),
        )

    def subtree_ids(self, category_id: uuid.UUID) -> list[uuid.UUID]:
        """The category and every category below it."""
        found, pending = [], [category_id]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(node.id for node in self.nodes if node.parent_id == current)
        return found

    def ancestors(self, category_id: uuid.UUID) -> list[CategoryNode]:
        """From the top-level category down to (and including) this one."""
        path: list[CategoryNode] = []
        node = self.by_id(category_id)
        while node is not None and node not in path:
            path.append(node)
            node = self.by_id(node.parent_id) if node.parent_id else None
        return list(reversed(path))


@dataclass(frozen=True)
class CategorySummary:
    id: uuid.UUID
    name: str
    slug: str
    product_count: int


@dataclass(frozen=True)
class ProductSummary:
    id: uuid.UUID
    slug: str
    name: str
    sku: str
    brand: str | None
    price: Decimal
    currency: str
    stock_quantity: int
    low_stock_threshold: int
    is_active: bool
    category_name: str
    image_url: str | None
    # Approved reviews: how many and their star sum (the exact average is sum / count).
    rating_count: int = 0
    rating_sum: int = 0
    # The dearest active variant's price (None where not read), and the colours it comes in.
    price_max: Decimal | None = None
    colours: tuple[str, ...] = ()
    # What its cheapest variant's price was ("compare at"), above the price; None without.
    compare_at_price: Decimal | None = None
    # Under an automatic promotion (listings read at the storefront's prices): the price
    # it sells for and the promotion's badge ("−20%"); None and "" otherwise.
    sale_price: Decimal | None = None
    sale_label: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductSummary:
        price_max = data.get("price_max")
        compare_at = data.get("compare_at_price")
        sale = data.get("sale_price")
        return cls(
            **{
                **data,
                "id": uuid.UUID(data["id"]),
                "price": Decimal(data["price"]),
                "price_max": Decimal(price_max) if price_max is not None else None,
                "compare_at_price": Decimal(compare_at) if compare_at is not None else None,
                "sale_price": Decimal(sale) if sale is not None else None,
                "sale_label": data.get("sale_label") or "",
                "colours": tuple(data.get("colours") or ()),
            }
        )

    @property
    def on_sale(self) -> bool:
        return self.sale_price is not None and self.sale_price < self.price

    @property
    def shown_price(self) -> Decimal:
        """What it sells for now: the sale price under a promotion, else the price."""
        return self.sale_price if self.sale_price is not None and self.on_sale else self.price

    @property
    def price_display(self) -> str:
        return format_money(self.shown_price, self.currency)

    @property
    def card_price_display(self) -> str:
        """ "From $70.00" when its variants cost differently, else the price."""
        if self.price_max is not None and self.price_max > self.price:
            return f"From {self.price_display}"
        return self.price_display

    @property
    def was_price(self) -> Decimal | None:
        """The struck-through price: the higher of its compare-at price and, under a
        promotion, its own price; None when it sells for no less than either."""
        candidates = [self.compare_at_price or Decimal(0)]
        if self.on_sale:
            candidates.append(self.price)
        was = max(candidates)
        return was if was > self.shown_price else None

    @property
    def badge(self) -> str:
        """ "−20%" under a promotion, "Sale" when marked down by a compare-at price."""
        if self.on_sale:
            return self.sale_label or "Sale"
        return "Sale" if self.was_price is not None else ""

    @property
    def compare_at_display(self) -> str:
        """The struck-through "was" price, "" when there is none above the price."""
        was = self.was_price
        return "" if was is None else format_money(was, self.currency)

    @property
    def stock_display(self) -> str:
        return stock_label(self.stock_quantity, self.low_stock_threshold)

    @property
    def rating_display(self) -> str:
        """The average of the approved reviews to one decimal ("4.3"), "" without any."""
        return shown_average(self.rating_sum, self.rating_count)


# --- options and variants (docs/adr/0007-product-variants.md) --------------------------------


def options_title(options: tuple[tuple[str, str], ...]) -> str:
    """A variant's option values as shoppers read them: "M / Navy" ("" without options)."""
    return " / ".join(value for _name, value in options)


@dataclass(frozen=True)
class OptionValueView:
    value: str
    swatch_image_url: str | None = None


@dataclass(frozen=True)
class OptionView:
    """One option of a product ("Size") with its values in the order shoppers see them."""

    name: str
    values: tuple[OptionValueView, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OptionView:
        return cls(
            name=data["name"], values=tuple(OptionValueView(**value) for value in data["values"])
        )


@dataclass(frozen=True)
class VariantView:
    """One variant of a product as its page, the staff editor and the API show it."""

    id: uuid.UUID
    sku: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    stock_quantity: int
    low_stock_threshold: int
    is_active: bool
    is_default: bool
    position: int
    # The variant's value of each of the product's options, in option order.
    option_values: tuple[str, ...]
    image_urls: tuple[str, ...]  # empty: the product's images
    weight_grams: int | None = None
    barcode: str | None = None
    # Under an automatic promotion (the storefront's product page): its title ("20 % off
    # Outerwear"); `price` is then the sale price and `compare_at_price` what it was.
    sale_title: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VariantView:
        compare_at = data["compare_at_price"]
        return cls(
            **{
                **data,
                "id": uuid.UUID(data["id"]),
                "price": Decimal(data["price"]),
                "compare_at_price": Decimal(compare_at) if compare_at is not None else None,
                "option_values": tuple(data["option_values"]),
                "image_urls": tuple(data["image_urls"]),
            }
        )

    @property
    def title(self) -> str:
        return " / ".join(self.option_values)

    @property
    def price_display(self) -> str:
        return format_money(self.price, self.currency)

    @property
    def compare_at_price_display(self) -> str:
        return format_money(self.compare_at_price, self.currency) if self.compare_at_price else ""

    @property
    def stock_display(self) -> str:
        return stock_label(self.stock_quantity, self.low_stock_threshold)


@dataclass(frozen=True)
class VariantSummary:
    """What a cart line, the checkout and a stock notice need of one sellable variant,
    priced from the catalog now (never cached)."""

    id: uuid.UUID  # the variant's
    product_id: uuid.UUID
    slug: str
    name: str  # the product's
    sku: str
    options: tuple[tuple[str, str], ...]  # (option name, value), in option order
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    stock_quantity: int
    low_stock_threshold: int
    is_active: bool  # the variant and its product are both sold
    image_url: str | None
    weight_grams: int | None = None

    @property
    def title(self) -> str:
        return options_title(self.options)

    @property
    def display_name(self) -> str:
        """ "Storm Fleece Jacket (M / Navy)"; the product's name without options."""
        return f"{self.name} ({self.title})" if self.options else self.name

    @property
    def price_display(self) -> str:
        return format_money(self.price, self.currency)

    @property
    def stock_display(self) -> str:
        return stock_label(self.stock_quantity, self.low_stock_threshold)


@dataclass(frozen=True)
class ProductDetail:
    summary: ProductSummary
    description: str
    attributes: dict[str, str]
    image_urls: tuple[str, ...]
    category_id: uuid.UUID
    breadcrumb: tuple[tuple[str, str], ...]  # (name, slug), top-level category first
    related: tuple[ProductSummary, ...]
    options: tuple[OptionView, ...] = ()
    variants: tuple[VariantView, ...] = ()  # active ones, in position order
    # The live multi-buys it counts towards, by their titles ("Buy 2, get 1 free"); set by
    # the storefront's reading, never cached with the catalog's record.
    offers: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProductDetail:
        return cls(
            summary=ProductSummary.from_json(data["summary"]),
            description=data["description"],
            attributes=data["attributes"],
            image_urls=tuple(data["image_urls"]),
            category_id=uuid.UUID(data["category_id"]),
            breadcrumb=tuple((name, slug) for name, slug in data["breadcrumb"]),
            related=tuple(ProductSummary.from_json(item) for item in data["related"]),
            options=tuple(OptionView.from_json(item) for item in data.get("options", ())),
            variants=tuple(VariantView.from_json(item) for item in data.get("variants", ())),
        )

    @property
    def default_variant(self) -> VariantView | None:
        return next((v for v in self.variants if v.is_default), None) or next(
            iter(self.variants), None
        )


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class ListingTotals:
    """What one filter set matches as a whole (shared by all its pages and sort orders)."""

    total: int
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    brands: tuple[FacetValue, ...] = ()
    attributes: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListingTotals:
        return cls(
            total=data["total"],
            price_min=Decimal(data["price_min"]) if data["price_min"] is not None else None,
            price_max=Decimal(data["price_max"]) if data["price_max"] is not None else None,
            brands=tuple(FacetValue(**facet) for facet in data["brands"]),
            attributes={
                name: tuple(FacetValue(**facet) for facet in values)
                for name, values in data["attributes"].items()
            },
        )


@dataclass(frozen=True)
class Listing:
    """One page of a product listing, with what its filters can offer."""

    items: tuple[ProductSummary, ...]
    total: int
    page: int
    limit: int
    brands: tuple[FacetValue, ...] = ()
    attributes: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    price_min: Decimal | None = None
    price_max: Decimal | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class CatalogCounts:
    products: int
    active_products: int
    out_of_stock: int
    categories: int


@dataclass(frozen=True)
class SearchDocument:
    """Everything the search index needs about one product (active or not)."""

    id: uuid.UUID
    slug: str
    name: str
    description: str
    brand: str | None
    sku: str
    price: Decimal
    currency: str
    stock_quantity: int
    is_active: bool
    category_id: uuid.UUID
    category_path: tuple[str, ...]  # names, top-level category first
    category_slugs: tuple[str, ...]  # slugs, top-level category first
    attributes: dict[str, str]
    image_url: str | None
    created_at: datetime
    # Each active variant: in stock or not, and its (option name, value) pairs.
    variants: tuple[tuple[bool, tuple[tuple[str, str], ...]], ...] = ()
    # The cheapest active variant's compare-at ("was") price, for the result card.
    compare_at_price: Decimal | None = None
