"""Product search with facets, and suggestions while typing.

Public, like the catalog. Any text is accepted (nonsense finds nothing); out-of-range
numbers and unknown sort orders are 400, as in the product list. Until the worker has
built the search index, searches find nothing rather than fail.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.v1.edge import EdgeRoute
from api.v1.pagination import PageMeta
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.core.money import decimal_string
from backend.core.validation import text_input_schema
from backend.search import queries
from backend.search.analysis import MAX_QUERY_CHARACTERS
from backend.search.documents import PRICE_BAND_LABELS
from backend.search.queries import MAX_FILTER_LENGTH, MAX_PAGE, MAX_SUGGESTIONS
from backend.search.schemas import SearchHit, SearchQuery, SearchResults, SearchSort

router = APIRouter(tags=["search"], route_class=EdgeRoute)

DEFAULT_LIMIT = 20  # as GET /products


# Longer text is not refused: the search reads only its first characters.
QueryText = Annotated[str, text_input_schema(MAX_QUERY_CHARACTERS)]


class SearchParams(BaseModel):
    q: QueryText = Field(
        default="",
        description="Words to find; empty: browse by the filters. Only the first "
        f"{MAX_QUERY_CHARACTERS} characters count.",
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=100)
    sort: SearchSort = Field(
        default=SearchSort.RELEVANCE, description="relevance means newest first without q."
    )
    category: str | None = Field(
        default=None,
        max_length=MAX_FILTER_LENGTH,
        description="A category slug (with subcategories).",
    )
    brand: str | None = Field(
        default=None, max_length=MAX_FILTER_LENGTH, description="A brand, as its facet names it."
    )
    price_band: str | None = Field(
        default=None,
        max_length=MAX_FILTER_LENGTH,
        description="A price band, as its facet names it.",
        examples=list(PRICE_BAND_LABELS),
    )
    in_stock: bool = False
    option: list[Annotated[str, Field(max_length=121, pattern=r"^[^:]{1,60}:.{1,60}$")]] = Field(
        default_factory=list,
        max_length=3,
        description="Option values one variant must have, as name:value "
        "(e.g. option=Size:M&option=Colour:Navy); with in_stock, that variant in stock.",
    )


class SearchItem(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    brand: str | None
    price: Money
    compare_at_price: Money | None = Field(
        default=None,
        description="the price it had before a live sale, or the cheapest variant's earlier "
        "price, when above the price",
    )
    promotion: str | None = Field(
        default=None, examples=["−20%"], description="a live sale's badge"
    )
    currency: str
    stock_quantity: int
    image_url: str | None
    category: str

    @classmethod
    def of(cls, hit: SearchHit) -> SearchItem:
        return cls(
            id=hit.id,
            slug=hit.slug,
            name=hit.name,
            brand=hit.brand,
            price=decimal_string(hit.price),
            compare_at_price=(
                decimal_string(hit.compare_at_price)
                if hit.compare_at_price is not None and hit.compare_at_display
                else None
            ),
            promotion=hit.sale_label or None,
            currency=hit.currency,
            stock_quantity=hit.stock_quantity,
            image_url=hit.image_url,
            category=hit.category_name,
        )


class CategoryCount(BaseModel):
    slug: str
    name: str
    count: int


class BrandCount(BaseModel):
    name: str
    count: int


class PriceBandCount(BaseModel):
    label: str
    count: int


class OptionValueCount(BaseModel):
    option: str = Field(description="The option's name, lower-cased.", examples=["size"])
    value: str = Field(examples=["M"])
    count: int = Field(description="Products having a variant (in stock, with in_stock) of it.")


class SearchFacetsOut(BaseModel):
    """Counts over everything the query and filters match; a product counts for its
    category and each of that category's ancestors."""

    categories: list[CategoryCount] = Field(description="Most products first.")
    brands: list[BrandCount] = Field(description="Most products first.")
    price_bands: list[PriceBandCount] = Field(description="Cheapest first.")
    options: list[OptionValueCount] = Field(description="By option, most products first.")


class SearchPage(BaseModel):
    items: list[SearchItem]
    facets: SearchFacetsOut
    pagination: PageMeta
    did_you_mean: str | None = Field(
        default=None, description="The query with misspelt words corrected, when there is one."
    )

    @classmethod
    def of(cls, results: SearchResults) -> SearchPage:
        facets = results.facets
        return cls(
            items=[SearchItem.of(hit) for hit in results.items],
            facets=SearchFacetsOut(
                categories=[
                    CategoryCount(slug=f.slug, name=f.name, count=f.product_count)
                    for f in facets["category"]
                ],
                brands=[BrandCount(name=f.name, count=f.product_count) for f in facets["brand"]],
                price_bands=[
                    PriceBandCount(label=f.label, count=f.product_count)
                    for f in facets["price_band"]
                ],
                options=[
                    OptionValueCount(option=f.name, value=f.value, count=f.product_count)
                    for f in facets["options"]
                ],
            ),
            pagination=PageMeta.of(page=results.page, limit=results.limit, total=results.total),
            did_you_mean=results.did_you_mean,
        )


class SuggestionOut(BaseModel):
    name: str
    slug: str


@router.get(
    "/search",
    response_model=SearchPage,
    summary="Search products, with facet counts",
    responses=problem_responses(400),
)
async def search_products(params: Annotated[SearchParams, Query()]) -> SearchPage:
    results = await queries.search_products(
        SearchQuery(
            text=params.q,
            page=params.page,
            limit=params.limit,
            sort=params.sort,
            category_slug=params.category,
            brand=params.brand,
            price_band=params.price_band,
            in_stock_only=params.in_stock,
            options=tuple(
                (name.strip(), value.strip())
                for name, _, value in (option.partition(":") for option in params.option)
            ),
        )
    )
    return SearchPage.of(results)


@router.get(
    "/search/suggest",
    response_model=list[SuggestionOut],
    summary="Product names for search-as-you-type",
    responses=problem_responses(400),
)
async def suggest(
    q: Annotated[QueryText, Query(description="What has been typed so far.")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS)] = 8,
) -> list[SuggestionOut]:
    """Every typed word starts a word of the product's name, brand or category; words
    under two letters are not looked up."""
    return [
        SuggestionOut(name=suggestion.name, slug=suggestion.slug)
        for suggestion in await queries.suggest(q, limit)
    ]
