"""The storefront's public pages as a plain GET gets them (crawlers, link previews, the
browser's first paint), and the files crawlers look for: `/sitemap.xml`, its parts under
`/sitemaps/`, and `/robots.txt`.

Each page is the compiled shell (shell.py) with the page's head (head.py) and a snapshot of
its content. A renamed product or category answers 301 from its old address; an unknown
one 404 with the not-found page. Every other route of the storefront stays with Reflex's
static files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.storefront_html import head as heads
from api.storefront_html.shell import NOT_FOUND, load_shell, shell_for_route
from backend.catalog import cache as catalog_cache
from backend.catalog.category_queries import get_category_tree, list_top_categories
from backend.catalog.listing import ListingQuery
from backend.catalog.retired_slugs import find_renamed_category, find_renamed_product
from backend.catalog.schemas import ProductDetail, ProductSummary
from backend.catalog.sitemap_queries import (
    list_category_entries,
    list_product_chunks,
    list_product_entries,
)
from backend.checkout.price_note import price_note
from backend.core.errors import NotFoundError
from backend.core.money import format_money
from backend.media.thumbnails import CARD_IMAGE_WIDTH, PRODUCT_IMAGE_WIDTH, thumbnail_url
from backend.merchandising.queries import list_home_collections, list_live_collections
from backend.merchandising.storefront_catalog import (
    get_product_page,
    list_collection_products,
    list_new_arrivals,
    list_products,
)
from backend.settings import get_settings
from backend.shop_settings.values import HOME_TAGLINE, store_settings

router = APIRouter(include_in_schema=False)

TEMPLATES = Path(__file__).parent / "templates"
LISTED_PRODUCTS = 24
MAX_SLUG_LENGTH = 160
MAX_QUERY_LENGTH = 200
# Never stale for more than a minute after a catalog change: the XML is cached under the
# catalog's version (bumped by every change), and proxies may keep it a minute.
SITEMAP_CACHE_CONTROL = "public, max-age=60"
# Price and stock change: a page is revalidated every time.
PAGE_CACHE_CONTROL = "no-cache"
# What no crawler has any business fetching.
PRIVATE_PATHS = (
    "/cart",
    "/checkout",
    "/account",
    "/orders/",
    "/admin",
    "/api/",
    "/auth/",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/reset-password",
    "/pay",
    "/verify-email",
    "/wishlists/",
    "/stock-notices/",
    "/cart-reminders/",
    "/_event",
    "/_upload",
)


@cache
def templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    # The card thumbnails' size (square), as the snapshot's <img> says it.
    environment.globals["card_image_width"] = CARD_IMAGE_WIDTH
    return environment


@dataclass(frozen=True)
class Link:
    path: str
    name: str


@dataclass(frozen=True)
class Card:
    """A product in a listing's first paint: the picture the page's own card shows."""

    path: str
    name: str
    price: str
    image_url: str | None


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def _price_text(summary: ProductSummary) -> str:
    price = format_money(summary.shown_price, summary.currency)
    if summary.price_max is not None and summary.price_max > summary.price:
        price = f"From {price}"
    if summary.compare_at_display:
        price += f" (was {summary.compare_at_display})"
    return price


def _page(
    route: str,
    head: heads.PageHead,
    template: str,
    context: dict[str, Any],
    *,
    shop_name: str,
    status_code: int = 200,
) -> Response:
    shell = load_shell(NOT_FOUND) if status_code == 404 else shell_for_route(route)
    environment = templates()
    head_html = environment.get_template("head.html").render(
        head=head, shop_name=shop_name, own_title=not shell.has_title
    )
    first_paint = environment.get_template(template).render(shop_name=shop_name, **context)
    return HTMLResponse(
        shell.with_page(head_html, first_paint, title_html=escape(head.title)),
        status_code=status_code,
        headers={"cache-control": PAGE_CACHE_CONTROL},
    )


async def _shop_name() -> str:
    """The name in force (Admin → Settings); reading the settings also brings this
    process's number format for the amounts up to date."""
    return (await store_settings()).shop_name


async def _not_found(request: Request) -> Response:
    shop_name = await _shop_name()
    head = heads.not_found_head(
        shop_name=shop_name, base_url=get_settings().public_base_url, path=request.url.path
    )
    return _page(
        "404", head, "not_found.html", {"breadcrumb": []}, shop_name=shop_name, status_code=404
    )


def _moved(request: Request, path: str) -> Response:
    """301 to a renamed page's address, its query string kept (a chosen variant)."""
    query = request.url.query
    return RedirectResponse(path + (f"?{query}" if query else ""), status_code=301)


def _product_page(detail: ProductDetail, note: str, shop_name: str) -> Response:
    summary = detail.summary
    head = heads.product_head(detail, shop_name=shop_name, base_url=get_settings().public_base_url)
    breadcrumb = [("Home", "/")]
    breadcrumb += [(name, heads.category_path(slug)) for name, slug in detail.breadcrumb]
    return _page(
        "/products/[product_id]",
        head,
        "product.html",
        {
            "breadcrumb": breadcrumb,
            "name": summary.name,
            "price": _price_text(summary),
            "price_note": note,
            # The product's stock is the sum over its variants on sale (migration 0018).
            "availability": "In stock" if summary.stock_quantity > 0 else "Sold out",
            "description": _paragraphs(detail.description),
            # The picture the page shows (the same file: one download, no swap).
            "image_url": (
                thumbnail_url(detail.image_urls[0], PRODUCT_IMAGE_WIDTH)
                if detail.image_urls
                else None
            ),
        },
        shop_name=shop_name,
    )


def _product_cards(items: tuple[ProductSummary, ...] | list[ProductSummary]) -> list[Card]:
    return [
        Card(
            path=heads.product_path(item.slug),
            name=item.name,
            price=_price_text(item),
            image_url=thumbnail_url(item.image_url, CARD_IMAGE_WIDTH) if item.image_url else None,
        )
        for item in items
    ]


@router.api_route("/", methods=["GET", "HEAD"])
async def home_page() -> Response:
    shop_name = await _shop_name()
    head = heads.home_head(
        shop_name=shop_name,
        description=f"{shop_name}: everyday goods, chosen with care.",
        base_url=get_settings().public_base_url,
    )
    categories = [
        Link(path=heads.category_path(category.slug), name=category.name)
        for category in await list_top_categories()
    ]
    collections = [
        Link(path=heads.collection_path(collection.slug), name=collection.title)
        for collection in await list_home_collections()
    ]
    arrivals = _product_cards(await list_new_arrivals(limit=LISTED_PRODUCTS))
    return _page(
        "/",
        head,
        "listing.html",
        {
            "breadcrumb": [],
            "heading": shop_name,
            "description": [HOME_TAGLINE],
            "links": collections + categories,
            "cards": arrivals,
        },
        shop_name=shop_name,
    )


@router.api_route("/products/{slug}", methods=["GET", "HEAD"])
async def product_page(slug: str, request: Request) -> Response:
    try:
        detail = await get_product_page(slug[:MAX_SLUG_LENGTH])
    except NotFoundError:
        renamed = await find_renamed_product(slug[:MAX_SLUG_LENGTH])
        if renamed is not None:
            return _moved(request, heads.product_path(renamed))
        return await _not_found(request)
    return _product_page(detail, await price_note(), await _shop_name())


@router.api_route("/categories/{slug}", methods=["GET", "HEAD"])
async def category_page(slug: str, request: Request) -> Response:
    tree = await get_category_tree()
    node = tree.by_slug(slug[:MAX_SLUG_LENGTH])
    if node is None:
        renamed = await find_renamed_category(slug[:MAX_SLUG_LENGTH])
        if renamed is not None:
            return _moved(request, heads.category_path(renamed))
        return await _not_found(request)
    shop_name = await _shop_name()
    ancestors = tree.ancestors(node.id)
    head = heads.category_head(
        node, ancestors, shop_name=shop_name, base_url=get_settings().public_base_url
    )
    listing = await list_products(ListingQuery(category=node.slug, limit=LISTED_PRODUCTS))
    subcategories = [
        Link(path=heads.category_path(child.slug), name=child.name)
        for child in tree.children(node.id)
    ]
    return _page(
        "/categories/[slug]",
        head,
        "listing.html",
        {
            "breadcrumb": [("Home", "/")]
            + [(above.name, heads.category_path(above.slug)) for above in ancestors[:-1]],
            "heading": node.name,
            "description": _paragraphs(node.description),
            "links": subcategories,
            "cards": _product_cards(listing.items),
        },
        shop_name=shop_name,
    )


@router.api_route("/collections/{slug}", methods=["GET", "HEAD"])
async def collection_page(slug: str, request: Request) -> Response:
    try:
        found = await list_collection_products(
            slug[:MAX_SLUG_LENGTH], {}, strict=False, limit=LISTED_PRODUCTS
        )
    except NotFoundError:  # unknown, scheduled or ended
        return await _not_found(request)
    collection = found.collection
    shop_name = await _shop_name()
    head = heads.collection_head(
        title=collection.title,
        slug=collection.slug,
        description=collection.description,
        image_url=collection.image_url,
        shop_name=shop_name,
        base_url=get_settings().public_base_url,
    )
    return _page(
        "/collections/[slug]",
        head,
        "listing.html",
        {
            "breadcrumb": [("Home", "/")],
            "heading": collection.title,
            "description": _paragraphs(collection.description),
            "links": [],
            "cards": _product_cards(found.listing.items),
        },
        shop_name=shop_name,
    )


@router.api_route("/search", methods=["GET", "HEAD"])
async def search_page(request: Request) -> Response:
    query = " ".join(str(request.query_params.get("q") or "").split())[:MAX_QUERY_LENGTH]
    shop_name = await _shop_name()
    head = heads.search_head(query, shop_name=shop_name, base_url=get_settings().public_base_url)
    heading = f"Search results for “{query}”" if query else "Search"
    return _page(
        "/search",
        head,
        "listing.html",
        {
            "breadcrumb": [("Home", "/")],
            "heading": heading,
            "description": [],
            "links": [],
            "cards": [],
        },
        shop_name=shop_name,
    )


def _lastmod(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _xml(text: str) -> Response:
    return Response(
        text,
        media_type="application/xml",
        headers={"cache-control": SITEMAP_CACHE_CONTROL},
    )


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"])
async def sitemap_index() -> Response:
    base = get_settings().public_base_url

    async def catalog_files() -> list[dict[str, str | None]]:
        files: list[dict[str, str | None]] = [
            {
                "url": f"{base}/sitemaps/products-{chunk.number}.xml",
                "lastmod": _lastmod(chunk.updated_at),
            }
            for chunk in await list_product_chunks()
        ]
        categories = await list_category_entries()
        files.append(
            {
                "url": f"{base}/sitemaps/categories.xml",
                "lastmod": _lastmod(max(e.updated_at for e in categories)) if categories else None,
            }
        )
        return files

    def same(files: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
        return files

    files = await catalog_cache.cached(
        {"sitemap": "index", "base": base}, catalog_files, encode=same, decode=same
    )
    # Collections come and go on their dates: their part is listed while one is live
    # (read afresh, a few rows; the catalog's part above is cached under its version).
    collections = await list_live_collections()
    if collections:
        files = [
            *files,
            {
                "url": f"{base}/sitemaps/collections.xml",
                "lastmod": _lastmod(max(c.updated_at for c in collections)),
            },
        ]
    return _xml(templates().get_template("sitemap_index.xml").render(files=files))


@router.api_route("/sitemaps/products-{number}.xml", methods=["GET", "HEAD"])
async def product_sitemap(number: int, request: Request) -> Response:
    base = get_settings().public_base_url

    async def render() -> str:
        entries = [
            {"url": base + heads.product_path(e.slug), "lastmod": _lastmod(e.updated_at)}
            for e in await list_product_entries(number)
        ]
        # An empty part is not a sitemap: an empty string marks it missing in the cache.
        if not entries:
            return ""
        return templates().get_template("urlset.xml").render(entries=entries)

    text = await catalog_cache.cached_text({"sitemap": number, "base": base}, render)
    if not text:
        return Response("There is no such sitemap.", status_code=404, media_type="text/plain")
    return _xml(text)


@router.api_route("/sitemaps/categories.xml", methods=["GET", "HEAD"])
async def category_sitemap() -> Response:
    base = get_settings().public_base_url

    async def render() -> str:
        entries: list[dict[str, str | None]] = [{"url": base + "/", "lastmod": None}]
        entries += [
            {"url": base + heads.category_path(e.slug), "lastmod": _lastmod(e.updated_at)}
            for e in await list_category_entries()
        ]
        return templates().get_template("urlset.xml").render(entries=entries)

    return _xml(await catalog_cache.cached_text({"sitemap": "categories", "base": base}, render))


@router.api_route("/sitemaps/collections.xml", methods=["GET", "HEAD"])
async def collection_sitemap() -> Response:
    """Read afresh each time (a few rows): a collection enters and leaves on its dates."""
    base = get_settings().public_base_url
    entries = [
        {"url": base + heads.collection_path(c.slug), "lastmod": _lastmod(c.updated_at)}
        for c in await list_live_collections()
    ]
    if not entries:
        return Response("There is no such sitemap.", status_code=404, media_type="text/plain")
    return _xml(templates().get_template("urlset.xml").render(entries=entries))


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
async def robots_txt() -> Response:
    base = get_settings().public_base_url
    text = (
        templates()
        .get_template("robots.txt")
        .render(private_paths=PRIVATE_PATHS, sitemap_url=f"{base}/sitemap.xml")
    )
    return Response(text, media_type="text/plain", headers={"cache-control": SITEMAP_CACHE_CONTROL})


def shell_is_missing(request: Request, error: Exception) -> Response:
    """A web process whose frontend was never built cannot show a page: say so plainly."""
    return Response(
        "The storefront has not been built yet.", status_code=503, media_type="text/plain"
    )
