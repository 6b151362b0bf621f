"""What a public page says about itself before any script runs: its `<title>`, description,
canonical address, Open Graph and Twitter card tags, and schema.org JSON-LD.

Pure functions of catalog data: no database, no HTTP. Every URL they write is absolute,
under the shop's public address, with tracking and variant parameters left out of the
canonical one (one page, one address)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from backend.catalog.schemas import CategoryNode, ProductDetail, VariantView

DESCRIPTION_LENGTH = 160
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"
NEW_CONDITION = "https://schema.org/NewCondition"


@dataclass(frozen=True)
class PageHead:
    title: str
    description: str
    canonical_url: str
    og_type: str = "website"
    image_url: str | None = None
    # Search results and other pages crawlers should not keep: "noindex, follow".
    robots: str | None = None
    json_ld: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def json_ld_scripts(self) -> list[str]:
        """Each JSON-LD object as script text that cannot close its `<script>` element."""
        return [script_json(data) for data in self.json_ld]


def script_json(data: dict[str, Any]) -> str:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped as JSON unicode escapes, so a
    product name holding `</script>` stays text."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def short_description(text: str, fallback: str) -> str:
    """One paragraph of at most 160 characters, cut at a word."""
    flat = " ".join(text.split()) or fallback
    if len(flat) <= DESCRIPTION_LENGTH:
        return flat
    cut = flat[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def absolute(base_url: str, path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return base_url + "/" + path_or_url.lstrip("/")


def product_path(slug: str) -> str:
    return f"/products/{quote(slug)}"


def category_path(slug: str) -> str:
    return f"/categories/{quote(slug)}"


def money_text(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def _offer(detail: ProductDetail, variant: VariantView | None, url: str) -> dict[str, Any]:
    summary = detail.summary
    price = variant.price if variant else summary.shown_price  # a sale's, under a promotion
    stock = variant.stock_quantity if variant else summary.stock_quantity
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": url if variant is None else f"{url}?variant={variant.id}",
        "price": money_text(price),
        "priceCurrency": variant.currency if variant else summary.currency,
        "availability": IN_STOCK if stock > 0 else OUT_OF_STOCK,
        "itemCondition": NEW_CONDITION,
    }
    if variant is not None:
        offer["sku"] = variant.sku
    return offer


def breadcrumb_list(base_url: str, trail: list[tuple[str, str]]) -> dict[str, Any]:
    """`trail`: (name, path) from the home page down to the page itself."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": index, "name": name, "item": absolute(base_url, path)}
            for index, (name, path) in enumerate(trail, start=1)
        ],
    }


def product_head(detail: ProductDetail, *, shop_name: str, base_url: str) -> PageHead:
    summary = detail.summary
    url = absolute(base_url, product_path(summary.slug))
    images = [absolute(base_url, image) for image in detail.image_urls]
    variants = detail.variants
    offers: dict[str, Any] | list[dict[str, Any]]
    if len(variants) > 1:
        offers = [_offer(detail, variant, url) for variant in variants]
    else:
        offers = _offer(detail, None, url)
    product: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": summary.name,
        "description": " ".join(detail.description.split()) or summary.name,
        "sku": summary.sku,
        "url": url,
        "offers": offers,
    }
    if images:
        product["image"] = images
    if summary.brand:
        product["brand"] = {"@type": "Brand", "name": summary.brand}
    if summary.rating_count > 0:
        product["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{Decimal(summary.rating_sum) / summary.rating_count:.1f}",
            "reviewCount": summary.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    trail = [(shop_name, "/")]
    trail += [(name, category_path(slug)) for name, slug in detail.breadcrumb]
    trail.append((summary.name, product_path(summary.slug)))
    return PageHead(
        title=f"{summary.name} · {shop_name}",
        description=short_description(detail.description, summary.name),
        canonical_url=url,
        og_type="product",
        image_url=images[0] if images else None,
        json_ld=(product, breadcrumb_list(base_url, trail)),
    )


def category_head(
    node: CategoryNode, ancestors: list[CategoryNode], *, shop_name: str, base_url: str
) -> PageHead:
    trail = [(shop_name, "/")] + [(above.name, category_path(above.slug)) for above in ancestors]
    return PageHead(
        title=f"{node.name} · {shop_name}",
        description=short_description(node.description, f"{node.name} at {shop_name}."),
        canonical_url=absolute(base_url, category_path(node.slug)),
        json_ld=(breadcrumb_list(base_url, trail),),
    )


def collection_path(slug: str) -> str:
    return f"/collections/{quote(slug)}"


def collection_head(
    *,
    title: str,
    slug: str,
    description: str,
    image_url: str | None,
    shop_name: str,
    base_url: str,
) -> PageHead:
    """A collection's page: a CollectionPage crawlers can place under the home page."""
    canonical = absolute(base_url, collection_path(slug))
    summary = short_description(description, f"{title} at {shop_name}.")
    return PageHead(
        title=f"{title} · {shop_name}",
        description=summary,
        canonical_url=canonical,
        image_url=absolute(base_url, image_url) if image_url else None,
        json_ld=(
            {
                "@context": "https://schema.org",
                "@type": "CollectionPage",
                "name": title,
                "description": summary,
                "url": canonical,
            },
            breadcrumb_list(base_url, [(shop_name, "/"), (title, collection_path(slug))]),
        ),
    )


def home_head(*, shop_name: str, description: str, base_url: str) -> PageHead:
    home = absolute(base_url, "/")
    return PageHead(
        title=shop_name,
        description=description,
        canonical_url=home,
        json_ld=(
            {
                "@context": "https://schema.org",
                "@type": "Organization",
                "name": shop_name,
                "url": home,
            },
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": shop_name,
                "url": home,
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": absolute(base_url, "/search?q={search_term_string}"),
                    },
                    "query-input": "required name=search_term_string",
                },
            },
        ),
    )


def search_head(query: str, *, shop_name: str, base_url: str) -> PageHead:
    """Result pages are for people: crawlers follow their links but keep none of them."""
    canonical = absolute(base_url, "/search" + (f"?{urlencode({'q': query})}" if query else ""))
    return PageHead(
        title=f"Search: {query} · {shop_name}" if query else f"Search · {shop_name}",
        description=f"Search {shop_name}'s catalog.",
        canonical_url=canonical,
        robots="noindex, follow",
    )


def not_found_head(*, shop_name: str, base_url: str, path: str) -> PageHead:
    return PageHead(
        title=f"Page not found · {shop_name}",
        description="There is nothing at this address.",
        canonical_url=absolute(base_url, path),
        robots="noindex",
    )
