"""Collections: public reads of the live ones (each with a page of its products, filtered
and sorted like `/products`), and the admins' writes. Services check the role themselves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import CatalogStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from api.v1.products import ProductListItem
from backend.catalog import cache as catalog_cache
from backend.catalog.inputs import MAX_PRICE, PriceAmount
from backend.catalog.listing import MAX_PAGE
from backend.core.pagination import MAX_PAGE_SIZE
from backend.core.validation import NulFreeStr
from backend.merchandising import queries, services, storefront_catalog
from backend.merchandising.inputs import CollectionInput
from backend.merchandising.queries import CollectionView
from backend.merchandising.rules import CollectionRule

router = APIRouter(tags=["collections"], route_class=EdgeRoute)


class CollectionOut(BaseModel):
    id: uuid.UUID
    slug: str
    title: str
    description: str
    image_url: str | None
    kind: Literal["manual", "rules"]
    url: str = Field(examples=["/collections/summer-sale"])

    @classmethod
    def of(cls, view: CollectionView) -> CollectionOut:
        return cls(
            id=view.id,
            slug=view.slug,
            title=view.title,
            description=view.description,
            image_url=view.image_url,
            kind="manual" if view.kind == "manual" else "rules",
            url=view.path,
        )


class CollectionWithProducts(CollectionOut):
    products: Paged[ProductListItem]


class CollectionAdminOut(CollectionOut):
    rules: list[CollectionRule]
    match: Literal["all", "any"]
    product_ids: list[uuid.UUID] = Field(description="a manual collection's, in its order")
    starts_at: datetime | None
    ends_at: datetime | None
    home_position: int | None
    status: Literal["scheduled", "active", "ended"]

    @classmethod
    def of_admin(cls, view: CollectionView) -> CollectionAdminOut:
        status_now = view.status(datetime.now(UTC))
        return cls(
            **CollectionOut.of(view).model_dump(),
            rules=list(view.rules),
            match=view.match,
            product_ids=list(view.product_ids),
            starts_at=view.starts_at,
            ends_at=view.ends_at,
            home_position=view.home_position,
            status=status_now,
        )


class CollectionProductParams(BaseModel):
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    brand: NulFreeStr | None = Field(default=None, max_length=500, description="comma-separated")
    min_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    max_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    sort_by: Literal["featured", "price", "name", "created_at", "rating"] | None = Field(
        default=None,
        description="default: featured (the merchant's order) for a manual collection, "
        "created_at (newest first) for a rule-based one",
    )
    order: Literal["asc", "desc"] | None = None
    in_stock: bool = False
    min_rating: int | None = Field(default=None, ge=1, le=5)


@router.get("/collections", response_model=list[CollectionOut], summary="Live collections")
async def list_collections() -> list[CollectionOut]:
    return [CollectionOut.of(view) for view in await queries.list_live_collections()]


@router.get(
    "/collections/{slug}",
    response_model=CollectionWithProducts,
    summary="A live collection with a page of its active products",
    responses=problem_responses(400, 404),
)
async def get_collection(
    slug: str, query: Annotated[CollectionProductParams, Query()]
) -> CollectionWithProducts:
    params = {
        "page": str(query.page),
        "limit": str(query.limit),
        "brand": query.brand or "",
        "min_price": "" if query.min_price is None else str(query.min_price),
        "max_price": "" if query.max_price is None else str(query.max_price),
        "sort_by": query.sort_by or "",
        "order": query.order or "",
        "in_stock": "1" if query.in_stock else "",
        "min_rating": "" if query.min_rating is None else str(query.min_rating),
    }
    with catalog_cache.exact_stock():  # the listing gives exact quantities
        found = await storefront_catalog.list_collection_products(slug[:120], params, strict=True)
    listing = found.listing
    return CollectionWithProducts(
        **CollectionOut.of(found.collection).model_dump(),
        products=Paged[ProductListItem](
            items=[ProductListItem.of(item) for item in listing.items],
            pagination=PageMeta.of(page=listing.page, limit=listing.limit, total=listing.total),
        ),
    )


@router.get(
    "/admin/collections",
    response_model=list[CollectionAdminOut],
    summary="Every collection, scheduled and ended ones too (admins)",
    responses=problem_responses(401, 403),
)
async def admin_list_collections(viewer: CatalogStaff) -> list[CollectionAdminOut]:
    return [
        CollectionAdminOut.of_admin(row.collection)
        for row in await queries.list_collections(viewer)
    ]


@router.get(
    "/admin/collections/{collection_id}",
    response_model=CollectionAdminOut,
    summary="One collection (admins)",
    responses=problem_responses(401, 403, 404),
)
async def admin_get_collection(
    collection_id: uuid.UUID, viewer: CatalogStaff
) -> CollectionAdminOut:
    return CollectionAdminOut.of_admin(await queries.get_collection(collection_id, actor=viewer))


@router.post(
    "/admin/collections",
    status_code=status.HTTP_201_CREATED,
    response_model=CollectionAdminOut,
    summary="Create a collection (admins)",
    responses=problem_responses(400, 401, 403, 422),
)
async def create_collection(data: CollectionInput, viewer: CatalogStaff) -> JSONResponse:
    collection_id = await services.save_collection(None, data, actor=viewer)
    saved = CollectionAdminOut.of_admin(await queries.get_collection(collection_id, actor=viewer))
    return JSONResponse(
        saved.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/collections/{collection_id}"},
    )


@router.put(
    "/admin/collections/{collection_id}",
    response_model=CollectionAdminOut,
    summary="Replace a collection, its products or rules included (admins)",
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def replace_collection(
    collection_id: uuid.UUID, data: CollectionInput, viewer: CatalogStaff
) -> CollectionAdminOut:
    await services.save_collection(collection_id, data, actor=viewer)
    return CollectionAdminOut.of_admin(await queries.get_collection(collection_id, actor=viewer))


@router.delete(
    "/admin/collections/{collection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a collection; its products stay (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_collection(collection_id: uuid.UUID, viewer: CatalogStaff) -> Response:
    await services.delete_collection(collection_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
