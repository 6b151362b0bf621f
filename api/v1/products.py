"""Products and categories: the seed's Product Service endpoints.

Reads are public (active products; staff also see hidden ones by id); writes need the
admin role, which the catalog services check themselves. Money travels as decimal
strings ("19.99"), never as binary floats.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.v1.auth import CatalogStaff, OptionalViewer
from api.v1.edge import EdgeRoute
from api.v1.etags import etag_of
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.catalog import cache as catalog_cache
from backend.catalog import category_queries, queries
from backend.catalog import services as catalog
from backend.catalog.inputs import MAX_PRICE, PriceAmount, ProductCreate, ProductUpdate
from backend.catalog.listing import MAX_PAGE, parse_listing_query
from backend.catalog.models import MAX_OPTIONS, MAX_VARIANTS
from backend.catalog.queries import ProductRecord
from backend.catalog.schemas import OptionView, ProductSummary, VariantView
from backend.catalog.variant_inputs import MAX_OPTION_VALUES, OPTION_VALUE_MAX_LENGTH
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import decimal_string
from backend.core.pagination import MAX_PAGE_SIZE
from backend.core.validation import MAX_URL_LENGTH, NulFreeStr, text_input_schema
from backend.merchandising import storefront_catalog
from backend.merchandising.offers import Sale
from backend.merchandising.storefront_catalog import RecordSales

router = APIRouter(tags=["products"], route_class=EdgeRoute)

# An option value and a picture's address as a variant names them (the catalog's limits).
OptionValueText = Annotated[NulFreeStr, text_input_schema(OPTION_VALUE_MAX_LENGTH)]
ImageUrlText = Annotated[NulFreeStr, text_input_schema(MAX_URL_LENGTH, format="uri")]

Money = Annotated[str, Field(pattern=r"^\d+\.\d{2}$", examples=["19.99"])]


class ProductListItem(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    sku: str
    brand: str | None
    price: Money
    compare_at_price: Money | None = Field(
        default=None,
        description="the price it sold for before (its compare-at price, or its own price "
        "under a promotion), when above `price`",
    )
    promotion: str | None = Field(
        default=None, examples=["−20%"], description="the automatic promotion it is sold under"
    )
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
            price=decimal_string(summary.shown_price),
            compare_at_price=(
                decimal_string(summary.was_price) if summary.was_price is not None else None
            ),
            promotion=summary.sale_label or None if summary.on_sale else None,
            currency=summary.currency,
            stock_quantity=summary.stock_quantity,
            category=summary.category_name,
            image_url=summary.image_url,
            rating_average=summary.rating_display or None,
            rating_count=summary.rating_count,
        )


class OptionOut(BaseModel):
    name: str = Field(examples=["Size"])
    values: list[str] = Field(examples=[["S", "M", "L"]])


class VariantOut(BaseModel):
    id: uuid.UUID
    sku: str
    price: Money
    compare_at_price: Money | None = Field(description="the “was” price; null without one")
    stock_quantity: int
    low_stock_threshold: int
    options: dict[str, str] = Field(
        examples=[{"Size": "M", "Colour": "Navy"}],
        description="the variant's value of each of the product's options",
    )
    image_urls: list[str] = Field(description="its own pictures; empty: the product's")
    weight_grams: int | None
    barcode: str | None
    is_active: bool
    is_default: bool
    sale_price: Money | None = Field(
        default=None,
        description="what it sells for now under an automatic promotion (`promotion`); "
        "`price` stays the catalog's",
    )
    promotion: str | None = Field(default=None, examples=["20 % off Outerwear"])

    @classmethod
    def of(
        cls, variant: VariantView, options: tuple[OptionView, ...], sale: Sale | None = None
    ) -> VariantOut:
        return cls(
            sale_price=decimal_string(sale.price) if sale else None,
            promotion=sale.title if sale else None,
            id=variant.id,
            sku=variant.sku,
            price=decimal_string(variant.price),
            compare_at_price=decimal_string(variant.compare_at_price)
            if variant.compare_at_price is not None
            else None,
            stock_quantity=variant.stock_quantity,
            low_stock_threshold=variant.low_stock_threshold,
            options={
                option.name: value
                for option, value in zip(options, variant.option_values, strict=False)
            },
            image_urls=list(variant.image_urls),
            weight_grams=variant.weight_grams,
            barcode=variant.barcode,
            is_active=variant.is_active,
            is_default=variant.is_default,
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
    options: list[OptionOut] = Field(
        description="how the product varies (at most 3); empty for a product without options"
    )
    variants: list[VariantOut] = Field(
        description="what is bought; `price` above is the lowest active variant's, "
        "`stock_quantity` their sum, `sku` the default variant's"
    )
    sale_price: Money | None = Field(
        default=None,
        description="what `price` sells for now under an automatic promotion; the "
        "catalog's `price` is what admins write",
    )
    promotion: str | None = Field(default=None, examples=["20 % off Outerwear"])

    @classmethod
    def of(
        cls, record: ProductRecord, *, staff: bool = False, sales: RecordSales | None = None
    ) -> ProductOut:
        summary = record.summary
        sales = sales or RecordSales()
        return cls(
            sale_price=decimal_string(sales.product.price) if sales.product else None,
            promotion=sales.product.title if sales.product else None,
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
            options=[
                OptionOut(name=option.name, values=[value.value for value in option.values])
                for option in record.options
            ],
            variants=[
                VariantOut.of(variant, record.options, sales.variants.get(variant.id))
                for variant in record.variants
                if staff or variant.is_active  # hidden variants exist only for staff
            ],
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
    min_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    max_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
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
async def list_products(query: Annotated[ProductListParams, Query()]) -> Response:
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
        listing = await storefront_catalog.list_products(parse_listing_query(params, strict=True))
        return Paged[ProductListItem](
            items=[ProductListItem.of(item) for item in listing.items],
            pagination=PageMeta.of(page=listing.page, limit=listing.limit, total=listing.total),
        ).model_dump_json()

    # The public listing is the API's hottest read: its rendered body is cached under the
    # catalog version (so never stale), and a hit skips decoding and validation entirely.
    key = {"api_v1_products": params, "prices": await storefront_catalog.prices_key()}
    body = (await catalog_cache.cached_text(key, render)).encode()
    return _json(body)


def _json(body: bytes) -> Response:
    """Already-serialised JSON; its ETag and 304s are the API's (`api/v1/etags.py`)."""
    return Response(body, media_type="application/json")


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
async def get_product(product_id: uuid.UUID, viewer: OptionalViewer) -> Response:
    """Hidden products exist only for staff. Send the last `ETag` as `If-None-Match` to get
    an empty 304 when nothing changed."""
    record = await _visible_product(product_id, viewer)
    body = ProductOut.of(
        record,
        staff=bool(viewer and viewer.is_staff),
        sales=await storefront_catalog.sales_of_record(record),
    )
    return _json(body.model_dump_json().encode())


async def _product_response(product_id: uuid.UUID, status_code: int = 200) -> JSONResponse:
    record = await queries.get_product(product_id)
    body = ProductOut.of(record, staff=True)  # writers are admins
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status_code,
        headers={"ETag": etag_of(body.model_dump_json().encode())},
    )


class VariantIn(BaseModel):
    """One variant as a client sends it; `options` names a value of each option."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(
        default=None, description="an existing variant to keep (its stock stays)"
    )
    sku: NulFreeStr = Field(max_length=50, examples=["JKT-NAVY-M"])
    price: PriceAmount = Field(ge=0, le=MAX_PRICE, examples=["79.00"])
    compare_at_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    options: dict[NulFreeStr, OptionValueText] = Field(
        default_factory=dict, max_length=MAX_OPTIONS, examples=[{"Size": "M", "Colour": "Navy"}]
    )
    stock_quantity: int = Field(
        default=0, ge=0, le=10_000_000, description="the first count of a new variant"
    )
    low_stock_threshold: int = Field(default=5, ge=0, le=100_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    barcode: NulFreeStr | None = Field(default=None, max_length=64)
    image_urls: list[ImageUrlText] = Field(default_factory=list, max_length=12)
    is_active: bool = True


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NulFreeStr = Field(max_length=40, examples=["Size"])
    values: list[OptionValueText] = Field(
        min_length=1, max_length=MAX_OPTION_VALUES, examples=[["S", "M", "L"]]
    )


class ProductWrite(ProductCreate):
    """A product; with `options` and `variants`, the product's `sku`, `price` and
    `stock_quantity` are its variants' (the default variant's SKU, the lowest price, the
    sum of the stock)."""

    options: list[OptionIn] | None = Field(default=None, max_length=MAX_OPTIONS)
    variants: list[VariantIn] | None = Field(default=None, min_length=1, max_length=MAX_VARIANTS)
    default_sku: NulFreeStr | None = Field(
        default=None, max_length=50, description="the variant shown first; the first one"
    )


class VariantPatch(BaseModel):
    """A change of one variant's own fields: only those given change (stock: adjust it)."""

    model_config = ConfigDict(extra="forbid")

    sku: NulFreeStr | None = Field(default=None, max_length=50)
    price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    compare_at_price: PriceAmount | None = Field(default=None, ge=0, le=MAX_PRICE)
    low_stock_threshold: int | None = Field(default=None, ge=0, le=100_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    barcode: NulFreeStr | None = Field(default=None, max_length=64)
    image_urls: list[ImageUrlText] | None = Field(default=None, max_length=12)
    is_active: bool | None = None


class VariantPatchById(VariantPatch):
    id: uuid.UUID


class ProductPatch(ProductUpdate):
    variants: list[VariantPatchById] | None = Field(
        default=None, max_length=MAX_VARIANTS, description="changes of some variants, by id"
    )


_WRITE_ONLY = {"options", "variants", "default_sku"}


def _variants_of(data: ProductWrite) -> dict[str, Any] | None:
    """The catalog's shape of the options and variants sent (values in option order)."""
    if data.variants is None:
        if data.options:
            raise InvalidInputError(
                "Options need variants.", {"variants": "List the variants of these options."}
            )
        return None
    options = data.options or []
    names = [option.name for option in options]
    variants = []
    for index, variant in enumerate(data.variants):
        given = {name.lower(): value for name, value in variant.options.items()}
        if sorted(given) != sorted(name.lower() for name in names):
            raise InvalidInputError(
                f"Variant {variant.sku}: give one value for each option.",
                {f"variants.{index}.options": f"One value for each of: {', '.join(names)}."},
            )
        fields = variant.model_dump(exclude={"options"}, exclude_none=True)
        variants.append(fields | {"option_values": [given[name.lower()] for name in names]})
    return {
        "options": [option.model_dump() for option in options],
        "variants": variants,
        "default_sku": data.default_sku,
    }


@router.post(
    "/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    summary="Create a product (admins), with its options and variants if it has any",
    responses=problem_responses(400, 401, 403, 409, 422),
)
async def create_product(data: ProductWrite, viewer: CatalogStaff) -> JSONResponse:
    product_id = await catalog.create_product(
        ProductCreate(**data.model_dump(exclude=_WRITE_ONLY)),
        actor=viewer,
        variants=_variants_of(data),
    )
    response = await _product_response(product_id, status.HTTP_201_CREATED)
    response.headers["Location"] = f"/api/v1/products/{product_id}"
    return response


@router.put(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Replace a product (admins), with its options and variants if given",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def replace_product(
    product_id: uuid.UUID, data: ProductWrite, viewer: CatalogStaff
) -> JSONResponse:
    """Every field is set: those left out take their defaults. With `variants`, the
    product's options and variants become exactly those (variants named by `id` or by
    an existing SKU keep their stock)."""
    fields = data.model_dump(exclude=_WRITE_ONLY)
    if fields.get("slug") is None:
        fields.pop("slug")  # keep the product's address unless a new one is given
    await catalog.update_product(
        product_id, ProductUpdate(**fields), actor=viewer, variants=_variants_of(data)
    )
    return await _product_response(product_id)


@router.patch(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Change some fields of a product or of some of its variants (admins)",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def patch_product(
    product_id: uuid.UUID, data: ProductPatch, viewer: CatalogStaff
) -> JSONResponse:
    changes = {
        variant.id: variant.model_dump(exclude={"id"}, exclude_unset=True)
        for variant in data.variants or []
    }
    await catalog.update_product(
        product_id,
        ProductUpdate(**data.model_dump(exclude={"variants"}, exclude_unset=True)),
        actor=viewer,
        variant_changes=changes,
    )
    return await _product_response(product_id)


def _one_variant(record: ProductRecord, variant_id: uuid.UUID, *, staff: bool) -> VariantOut:
    for variant in record.variants:
        if variant.id == variant_id and (staff or variant.is_active):
            return VariantOut.of(variant, record.options)
    raise NotFoundError("This product has no such variant.")


@router.get(
    "/products/{product_id}/variants/{variant_id}",
    response_model=VariantOut,
    summary="One variant of a product",
    responses=problem_responses(401, 404),
)
async def get_variant(
    product_id: uuid.UUID, variant_id: uuid.UUID, viewer: OptionalViewer
) -> VariantOut:
    record = await _visible_product(product_id, viewer)
    return _one_variant(record, variant_id, staff=bool(viewer and viewer.is_staff))


@router.patch(
    "/products/{product_id}/variants/{variant_id}",
    response_model=VariantOut,
    summary="Change one variant's fields (admins); its stock changes by adjustments",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def patch_variant(
    product_id: uuid.UUID, variant_id: uuid.UUID, data: VariantPatch, viewer: CatalogStaff
) -> VariantOut:
    await catalog.update_product(
        product_id,
        ProductUpdate(),
        actor=viewer,
        variant_changes={variant_id: data.model_dump(exclude_unset=True)},
    )
    return _one_variant(await queries.get_product(product_id), variant_id, staff=True)


@router.delete(
    "/products/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a product (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_product(product_id: uuid.UUID, viewer: CatalogStaff) -> Response:
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
