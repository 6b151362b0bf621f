"""Shapes the catalog hands to pages, the API and jobs. Money arrives preformatted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backend.core.money import format_money

LOW_STOCK_DISPLAY_THRESHOLD = 5


def stock_label(stock_quantity: int) -> str:
    """What a shopper reads about availability."""
    if stock_quantity <= 0:
        return "Out of stock"
    if stock_quantity <= LOW_STOCK_DISPLAY_THRESHOLD:
        return f"Only {stock_quantity} left"
    return "In stock"


@dataclass(frozen=True)
class CategorySummary:
    id: uuid.UUID
    name: str
    slug: str
    product_count: int


@dataclass(frozen=True)
class ProductSummary:
    id: uuid.UUID
    name: str
    sku: str
    brand: str | None
    price: Decimal
    currency: str
    stock_quantity: int
    is_active: bool
    category_name: str

    @property
    def price_display(self) -> str:
        return format_money(self.price, self.currency)

    @property
    def stock_display(self) -> str:
        return stock_label(self.stock_quantity)


@dataclass(frozen=True)
class ProductDetail(ProductSummary):
    description: str | None
    attributes: dict[str, object]
    category_slug: str


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
