"""What storefront and admin pages put in state: small, flat, preformatted for display.

Money is a string here (state vars would turn Decimal into a float in the browser).
"""

from __future__ import annotations

import dataclasses
import zlib
from decimal import Decimal

from backend.catalog.ratings import stars_text
from backend.catalog.schemas import (
    MAX_QUANTITY_CHOICE,
    CategorySummary,
    ProductDetail,
    ProductSummary,
)
from backend.media.thumbnails import CARD_IMAGE_WIDTH, PRODUCT_IMAGE_WIDTH, thumbnail_url
from ui.theme import SWATCHES

# A return's status badge, the same for the shopper and the staff.
RETURN_BADGE_COLOURS = {
    "requested": "amber",
    "approved": "blue",
    "rejected": "tomato",
    "received": "blue",
    "refunded": "grass",
    "exchanged": "grass",
}


@dataclasses.dataclass(frozen=True)
class ProductCard:
    id: str
    url: str
    name: str
    brand: str
    price: str
    stock: str
    in_stock: bool
    image: str  # "" when the product has no picture: the swatch and initials stand in
    initials: str
    swatch: str
    # Approved reviews: "4.3", "★★★★☆" and how many; "" and 0 when there are none.
    rating: str = ""
    rating_stars: str = ""
    rating_count: int = 0
    colours: str = ""  # "Navy · Red · Sand" (at most five, then "+2")
    compare_at: str = ""  # the struck-through "was" price, "" when not on sale
    badge: str = ""  # "−20%" under a promotion, "Sale" when marked down, else ""


@dataclasses.dataclass(frozen=True)
class CategoryLink:
    name: str
    url: str
    product_count: int


@dataclasses.dataclass(frozen=True)
class Crumb:
    name: str
    url: str


@dataclasses.dataclass(frozen=True)
class ProductPageView:
    id: str
    name: str
    brand: str
    sku: str
    price: str
    stock: str
    in_stock: bool
    quantity_choices: list[str]  # what the add-to-cart selector offers
    description: str
    images: list[str]
    initials: str
    swatch: str
    attributes: list[tuple[str, str]]
    breadcrumb: list[Crumb]
    related: list[ProductCard]
    offers: list[str]  # the multi-buys it counts towards: "Buy 2, get 1 free"


def initials_for(name: str, brand: str | None = None) -> str:
    if brand and name.startswith(brand + " "):
        name = name[len(brand) + 1 :]
    words = [w for w in name.split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper()


def swatch_for(sku: str) -> str:
    return SWATCHES[zlib.crc32(sku.encode()) % len(SWATCHES)]


def product_url(slug: str) -> str:
    return f"/products/{slug}"


def category_url(slug: str) -> str:
    return f"/categories/{slug}"


def attribute_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def product_card(product: ProductSummary) -> ProductCard:
    return ProductCard(
        id=str(product.id),
        url=product_url(product.slug),
        name=product.name,
        brand=product.brand or "",
        price=product.card_price_display,
        stock=product.stock_display,
        in_stock=product.stock_quantity > 0,
        image=thumbnail_url(product.image_url, CARD_IMAGE_WIDTH) if product.image_url else "",
        initials=initials_for(product.name, product.brand),
        swatch=swatch_for(product.slug),
        rating=product.rating_display,
        rating_stars=(
            stars_text(Decimal(product.rating_sum) / product.rating_count)
            if product.rating_count
            else ""
        ),
        rating_count=product.rating_count,
        colours=_colours_line(product.colours),
        compare_at=product.compare_at_display,
        badge=product.badge,
    )


MAX_CARD_COLOURS = 5


def _colours_line(colours: tuple[str, ...]) -> str:
    shown = " · ".join(colours[:MAX_CARD_COLOURS])
    more = len(colours) - MAX_CARD_COLOURS
    return f"{shown} +{more}" if more > 0 else shown


def category_link(category: CategorySummary) -> CategoryLink:
    return CategoryLink(
        name=category.name, url=category_url(category.slug), product_count=category.product_count
    )


def product_page_view(product: ProductDetail) -> ProductPageView:
    summary = product.summary
    return ProductPageView(
        id=str(summary.id),
        name=summary.name,
        brand=summary.brand or "",
        sku=summary.sku,
        price=summary.price_display,
        stock=summary.stock_display,
        in_stock=summary.stock_quantity > 0,
        quantity_choices=[
            str(n) for n in range(1, min(summary.stock_quantity, MAX_QUANTITY_CHOICE) + 1)
        ],
        description=product.description,
        images=[thumbnail_url(url, PRODUCT_IMAGE_WIDTH) for url in product.image_urls],
        initials=initials_for(summary.name, summary.brand),
        swatch=swatch_for(summary.slug),
        attributes=[
            (attribute_label(key), value) for key, value in sorted(product.attributes.items())
        ],
        breadcrumb=[Crumb(name="Home", url="/")]
        + [Crumb(name=name, url=category_url(slug)) for name, slug in product.breadcrumb]
        + [Crumb(name=summary.name, url="")],
        related=[product_card(item) for item in product.related],
        offers=list(product.offers),
    )
