"""What storefront and admin pages put in state: small, flat, preformatted for display.

Money is a string here (state vars would turn Decimal into a float in the browser).
"""

from __future__ import annotations

import dataclasses
import zlib

from backend.catalog.schemas import CategorySummary, ProductDetail, ProductSummary
from storefront.theme import SWATCHES


@dataclasses.dataclass(frozen=True)
class ProductCard:
    id: str
    url: str
    name: str
    brand: str
    price: str
    stock: str
    in_stock: bool
    initials: str
    swatch: str


@dataclasses.dataclass(frozen=True)
class CategoryLink:
    name: str
    url: str
    product_count: int


@dataclasses.dataclass(frozen=True)
class ProductPageView:
    id: str
    name: str
    brand: str
    sku: str
    price: str
    stock: str
    in_stock: bool
    description: str
    category_name: str
    category_url: str
    initials: str
    swatch: str
    attributes: list[tuple[str, str]]


def _initials(name: str, brand: str | None = None) -> str:
    if brand and name.startswith(brand + " "):
        name = name[len(brand) + 1 :]
    words = [w for w in name.split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper()


def _swatch(sku: str) -> str:
    return SWATCHES[zlib.crc32(sku.encode()) % len(SWATCHES)]


def product_url(product_id: object) -> str:
    return f"/products/{product_id}"


def category_url(slug: str) -> str:
    return f"/categories/{slug}"


def product_card(product: ProductSummary) -> ProductCard:
    return ProductCard(
        id=str(product.id),
        url=product_url(product.id),
        name=product.name,
        brand=product.brand or "",
        price=product.price_display,
        stock=product.stock_display,
        in_stock=product.stock_quantity > 0,
        initials=_initials(product.name, product.brand),
        swatch=_swatch(product.sku),
    )


def category_link(category: CategorySummary) -> CategoryLink:
    return CategoryLink(
        name=category.name, url=category_url(category.slug), product_count=category.product_count
    )


def product_page_view(product: ProductDetail) -> ProductPageView:
    return ProductPageView(
        id=str(product.id),
        name=product.name,
        brand=product.brand or "",
        sku=product.sku,
        price=product.price_display,
        stock=product.stock_display,
        in_stock=product.stock_quantity > 0,
        description=product.description or "",
        category_name=product.category_name,
        category_url=category_url(product.category_slug),
        initials=_initials(product.name, product.brand),
        swatch=_swatch(product.sku),
        attributes=[
            (str(key).replace("_", " ").capitalize(), str(value))
            for key, value in sorted(product.attributes.items())
        ],
    )
