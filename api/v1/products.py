"""Products and categories: the seed's Product Service endpoints.

Reads are public (active products; staff also see hidden ones by id); writes need the
admin role, which the catalog services check themselves. Money travels as decimal
strings ("19.99"), never as binary floats.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import AdminViewer, OptionalViewer
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.catalog import cache as catalog_cache
from backend.catalog import category_queries, listing_queries, queries
from backend.catalog import services as catalog
from backend.catalog.inputs import MAX_PRICE, ProductCreate, ProductUpdate
from backend.catalog.listing import MAX_PAGE, parse_listing_query
from backend.catalog.queries import ProductRecord
from backend.catalog.schemas import ProductSummary
from backend.core.errors import NotFoundError
from backend.core.money import decimal_string
from backend.core.pagination import MAX_PAGE_SIZE
from backend.core.validation import NulFreeStr

router = APIRouter(tags=["products"], route_class=EdgeRoute)

Money = Annotated[str, Field(pattern=r"^\d+\.\d{2}$", examples=["19.99"])]


class ProductListItem(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    sku: str
    brand: str | None
    price: Money
    currency: str
    stock_quantity: int
    category: str
    image_url: str | None
    rating_average: str | None = Field(
        default=None,
        examples=["4.3"],
        description="average of the approved reviews, one decimal; null without reviews",
    )
    rating_count: int = 0

    @classmethod
    def of(cls, summary: ProductSummary) -> ProductListItem:
        return cls(
            id=summary.id,
            slug=summary.slug,
            name=summary.name,
            sku=summary.sku,
            brand=summary.brand,
            price=decimal_string(summary.price),
            currency=summary.currency,
            stock_quantity=summary.stock_quantity,
            category=summary.category_name,
            image_url=summary.image_url,
            rating_average=summary.rating_display or None,
            rating_count=summary.rating_count,
        )


class ProductOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    sku: str
    price: Money
    currency: str
    category_id: uuid.UUID
    category: str
    brand: str | None
    stock_quantity: int
    low_stock_threshold: int
    is_active: bool
    image_urls: list[str]
    attributes: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: ProductRecord) -> ProductOut:
        summary = record.summary
        return cls(
            id=summary.id,
            slug=summary.slug,
            name=summary.name,
            description=record.description,
            sku=summary.sku,
            price=decimal_string(summary.price),
            currency=summary.currency,
            category_id=record.category_id,
            category=summary.category_name,
            brand=summary.brand,
            stock_quantity=summary.stock_quantity,
            low_stock_threshold=summary.low_stock_threshold,
            is_active=summary.is_active,
            image_urls=list(record.image_urls),
            attributes=record.attributes,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class CategoryOut(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    parent_id: uuid.UUID | None
    position: int
    description: str


class ProductListParams(BaseModel):
    """The seed's list parameters."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    category: NulFreeStr | None = Field(default=None, max_length=120, description="category slug")
    brand: NulFreeStr | None = Field(default=None, max_length=500, description="comma-separated")
    min_price: Decimal | None = Field(default=None, ge=0, le=MAX_PRICE)
    max_price: Decimal | None = Field(default=None, ge=0, le=MAX_PRICE)
    sort_by: Literal["price", "name", "created_at", "rating"] = "created_at"
    order: Literal["asc", "desc"] | None = Field(
        default=None, description="default: desc for created_at and rating, else asc"
    )
    in_stock: bool = False
    min_rating: int | None = Field(
        default=None, ge=1, le=5, description="only products rated this many stars or more"
    )


@router.get(
    "/products",
    response_model=Paged[ProductListItem],
    summary="List active products",
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        **problem_responses(400, 404),  # 404: no such category
    },
)
async def list_products(query: Annotated[ProductListParams, Query()], request: Request) -> Response:
    """Send the last `ETag` as `If-None-Match` to get an empty 304 when nothing changed."""
    params = {
        "page": str(query.page),
        "limit": str(query.limit),
        "category": query.category or "",
        "brand": query.brand or "",
        "min_price": "" if query.min_price is None else str(query.min_price),
        "max_price": "" if query.max_price is None else str(query.max_price),
        "sort_by": query.sort_by,
        "order": query.order or "",
        "in_stock": "1" if query.in_stock else "",
        "min_rating": "" if query.min_rating is None else str(query.min_rating),
    }

    async def render() -> str:
        listing = await listing_queries.list_products(parse_listing_query(params, strict=True))
        return Paged[ProductListItem](
            items=[ProductListItem.of(item) for item in listing.items],
            pagination=PageMeta.of(page=listing.page, limit=listing.limit, total=listing.total),
        ).model_dump_json()

    # The public listing is the API's hottest read: its rendered body is cached under the
    # catalog version (so never stale), and a hit skips decoding and validation entirely.
    body = (await catalog_cache.cached_text({"api_v1_products": params}, render)).encode()
    return _json_with_etag(body, request)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def _json_with_etag(body: bytes, request: Request) -> Response:
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def _visible_product(product_id: uuid.UUID, viewer: OptionalViewer) -> ProductRecord:
    record = await queries.get_product(product_id)
    if not record.summary.is_active and not (viewer and viewer.is_staff):
        raise NotFoundError("There is no such product.")
    return record


@router.get(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="One product",
    responses={304: {"description": "Not modified (If-None-Match)"}, **problem_responses(401, 404)},
)
async def get_product(product_id: uuid.UUID, request: Request, viewer: OptionalViewer) -> Response:
    """Hidden products exist only for staff. Send the last `ETag` as `If-None-Match` to get
    an empty 304 when nothing changed."""
    record = await _visible_product(product_id, viewer)
    return _json_with_etag(ProductOut.of(record).model_dump_json().encode(), request)


async def _product_response(product_id: uuid.UUID, status_code: int = 200) -> JSONResponse:
    record = await queries.get_product(product_id)
    body = ProductOut.of(record)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status_code,
        headers={"ETag": _etag(body.model_dump_json().encode())},
    )


@router.post(
    "/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    summary="Create a product (admins)",
    responses=problem_responses(400, 401, 403, 409),
)
async def create_product(data: ProductCreate, viewer: AdminViewer) -> JSONResponse:
    product_id = await catalog.create_product(data, actor=viewer)
    response = await _product_response(product_id, status.HTTP_201_CREATED)
    response.headers["Location"] = f"/api/v1/products/{product_id}"
    return response


@router.put(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Replace a product (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def replace_product(
    product_id: uuid.UUID, data: ProductCreate, viewer: AdminViewer
) -> JSONResponse:
    """Every field is set: those left out take their defaults."""
    fields = data.model_dump()
    if fields.get("slug") is None:
        fields.pop("slug")  # keep the product's address unless a new one is given
    await catalog.update_product(product_id, ProductUpdate(**fields), actor=viewer)
    return await _product_response(product_id)


@router.patch(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Change some fields of a product (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def patch_product(
    product_id: uuid.UUID, data: ProductUpdate, viewer: AdminViewer
) -> JSONResponse:
    await catalog.update_product(product_id, data, actor=viewer)
    return await _product_response(product_id)


@router.delete(
    "/products/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a product (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_product(product_id: uuid.UUID, viewer: AdminViewer) -> Response:
    await catalog.delete_product(product_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/categories", response_model=list[CategoryOut], tags=["categories"])
async def list_categories() -> list[CategoryOut]:
    """Every category, parents before children, in display order."""
    tree = await category_queries.get_category_tree()
    ordered: list[CategoryOut] = []

    def walk(parent_id: uuid.UUID | None) -> None:
        for node in tree.children(parent_id):
            ordered.append(
                CategoryOut(
                    id=node.id,
                    name=node.name,
                    slug=node.slug,
                    parent_id=node.parent_id,
                    position=node.position,
                    description=node.description,
                )
            )
            walk(node.id)

    walk(None)
    return ordered
