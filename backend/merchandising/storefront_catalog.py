"""The catalog as the storefront shows it: listings, collections and product pages at the
prices shoppers pay now, under the live automatic promotions (`promotions.py`). Every
storefront door (pages, the HTML crawlers read, the REST API) reads products here, so a
sale shows, sorts and filters the same everywhere and ends everywhere at once."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from backend.catalog import listing_queries as catalog_listing
from backend.catalog import queries as catalog_queries
from backend.catalog.listing import (
    NEWEST_FIRST,
    ListingQuery,
    SortField,
    SortOrder,
    parse_listing_query,
)
from backend.catalog.listing_queries import Deferred, ListingPricing
from backend.catalog.queries import ProductRecord
from backend.catalog.schemas import Listing, ProductDetail, ProductSummary
from backend.merchandising.models import MANUAL
from backend.merchandising.offers import Sale
from backend.merchandising.promotions import (
    coverage_of,
    listing_prices_key,
    listing_pricing,
    sales_for,
)
from backend.merchandising.queries import (
    FEATURED_FIRST,
    CollectionView,
    collection_scope,
    collection_scope_key,
    get_live_collection,
)


async def _storefront_prices() -> Deferred[ListingPricing | None] | None:
    """The live sales' prices for a listing, built only if its cache misses; None while no
    sale runs (the catalog's own prices)."""
    key = await listing_prices_key()
    return Deferred(key, listing_pricing) if key else None


async def list_products(query: ListingQuery, *, with_facets: bool = False) -> Listing:
    """A catalog listing (a category's, or everything) at the storefront's prices."""
    return await catalog_listing.list_products(
        query, with_facets=with_facets, pricing=await _storefront_prices()
    )


async def prices_key() -> str:
    """Changes whenever the storefront's prices do (a promotion starts, ends or is
    edited): part of the key of caches holding rendered answers."""
    return await listing_prices_key()


async def list_new_arrivals(*, limit: int = 8) -> list[ProductSummary]:
    listing = await list_products(ListingQuery(limit=limit, sort_by="created_at", order="desc"))
    return list(listing.items)


@dataclass(frozen=True)
class CollectionListing:
    collection: CollectionView
    query: ListingQuery  # as parsed, with the collection's default order
    default_sort: tuple[SortField, SortOrder]
    listing: Listing


def default_sort(collection: CollectionView) -> tuple[SortField, SortOrder]:
    """Hand-picked: the merchant's order; rule-based: the newest first."""
    return FEATURED_FIRST if collection.kind == MANUAL else NEWEST_FIRST


async def list_collection_products(
    slug: str,
    params: Mapping[str, str],
    *,
    strict: bool,
    limit: int | None = None,
    with_facets: bool = False,
) -> CollectionListing:
    """A live collection and one page of its active products, filtered, sorted and paged
    by the query parameters like a category's (see `parse_listing_query` for `strict`);
    without a `sort_by`, in the collection's default order."""
    now = datetime.now(UTC)
    collection = await get_live_collection(slug, now=now)
    order = default_sort(collection)
    query = parse_listing_query(params, strict=strict, default_sort=order)
    if limit is not None:
        query = replace(query, limit=limit)
    scope = Deferred(
        collection_scope_key(collection, now), lambda: collection_scope(collection, now)
    )
    pricing = await _storefront_prices()
    listing = await catalog_listing.list_products(
        query, with_facets=with_facets, scope=scope, pricing=pricing
    )
    if listing.items == () and query.page > listing.page_count:
        # A page past the end (an old link): the last page instead.
        query = query.with_page(listing.page_count)
        listing = await catalog_listing.list_products(
            query, with_facets=with_facets, scope=scope, pricing=pricing
        )
    return CollectionListing(
        collection=collection, query=query, default_sort=order, listing=listing
    )


def _with_sale(summary: ProductSummary, sale: Sale | None) -> ProductSummary:
    if sale is None:
        return summary
    return replace(summary, sale_price=sale.price, sale_label=sale.label(summary.currency))


async def at_todays_prices(
    summaries: Mapping[uuid.UUID, ProductSummary],
) -> dict[uuid.UUID, ProductSummary]:
    """Product summaries read from the catalog (a wishlist's), at the storefront's prices."""
    items = list(summaries.items())
    sales = await sales_for([(summary.id, summary.price) for _, summary in items])
    return {
        key: _with_sale(summary, sale) for (key, summary), sale in zip(items, sales, strict=True)
    }


@dataclass(frozen=True)
class RecordSales:
    """A product record's prices now: the sale of its shown price and of each variant
    (by variant id) under the live promotions; empty without one."""

    product: Sale | None = None
    variants: Mapping[uuid.UUID, Sale] = dataclasses.field(default_factory=dict)


async def sales_of_record(record: ProductRecord) -> RecordSales:
    """For the API's product record, which keeps the catalog's own prices (clients write
    them back): what the product and its variants sell for now."""
    product_id = record.summary.id
    items = [(product_id, record.summary.price)]
    items += [(product_id, variant.price) for variant in record.variants]
    sales = await sales_for(items)
    return RecordSales(
        product=sales[0],
        variants={
            variant.id: sale
            for variant, sale in zip(record.variants, sales[1:], strict=True)
            if sale is not None
        },
    )


async def get_product_page(slug: str) -> ProductDetail:
    """A product's page (raises NotFoundError) with each variant at its price now: under a
    promotion, the sale price, what it was as its compare-at price, and the promotion's
    title; the related products' cards likewise."""
    detail = await catalog_queries.get_product_page(slug)
    summary = detail.summary
    items = [(summary.id, variant.price) for variant in detail.variants]
    items += [(summary.id, summary.price)]
    items += [(related.id, related.price) for related in detail.related]
    coverage = await coverage_of({product_id for product_id, _ in items})
    sales = [coverage.sale(product_id, price) for product_id, price in items]
    offers = tuple(offer.title for offer in coverage.multibuys.get(summary.id, ()))
    if offers:
        detail = dataclasses.replace(detail, offers=offers)
    if not any(sales):
        return detail
    variant_sales = sales[: len(detail.variants)]
    variants = tuple(
        variant
        if sale is None
        else dataclasses.replace(
            variant,
            price=sale.price,
            compare_at_price=max(variant.compare_at_price or sale.list_price, sale.list_price),
            sale_title=sale.title,
        )
        for variant, sale in zip(detail.variants, variant_sales, strict=True)
    )
    summary_sale = sales[len(detail.variants)]
    related_sales = sales[len(detail.variants) + 1 :]
    return dataclasses.replace(
        detail,
        summary=_with_sale(summary, summary_sale),
        variants=variants,
        related=tuple(
            _with_sale(related, sale)
            for related, sale in zip(detail.related, related_sales, strict=True)
        ),
    )
