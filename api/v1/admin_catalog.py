"""The catalog as admins run it (staff with the catalog permission), the same services as
the admin pages: the category tree and brands (`admin/pages/catalog_structure.py`), the
staff products table with its bulk actions (`products.py`), a product's options and
variants (`product_variants.py`), picture uploads (`product_editor.py`) and the two-step
CSV import (`product_import.py`). Products themselves are created and changed at
`/products` (`api/v1/products.py`)."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from api.v1.auth import CatalogStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from api.v1.products import ProductOut, _product_response
from backend.catalog import brands as brand_services
from backend.catalog import queries, taxonomy
from backend.catalog import services as catalog
from backend.catalog.inputs import (
    MAX_PRICE,
    BrandCreate,
    CategoryCreate,
    CategoryUpdate,
    PriceAmount,
)
from backend.catalog.models import MAX_OPTIONS, MAX_VARIANTS
from backend.catalog.schemas import ProductSummary
from backend.catalog.staff_table import (
    StaffProductQuery,
    StaffSort,
    StatusFilter,
    StockFilter,
    list_products_for_staff,
)
from backend.catalog.variant_inputs import MAX_OPTION_VALUES, OptionInput, variant_matrix
from backend.catalog.variants import save_variants
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import decimal_string
from backend.core.pagination import MAX_PAGE_SIZE
from backend.core.validation import (
    MAX_URL_LENGTH,
    NulFreeStr,
    decimal_input_schema,
    parse_input,
    text_input_schema,
)
from backend.media.images import MAX_IMAGE_BYTES
from backend.product_import import (
    MAX_FILE_BYTES,
    MAX_FILE_MB,
    ImportPreview,
    ImportResult,
    apply_import,
    preview_import,
)

router = APIRouter(prefix="/admin", route_class=EdgeRoute)

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["19.99"])]


# --- categories ---------------------------------------------------------------------------


class CategoryAdminOut(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Mugs"])
    slug: str = Field(examples=["kitchen-mugs"], description="its address in the storefront")
    description: str
    parent_id: uuid.UUID | None = Field(description="null: a top-level category")
    position: int = Field(description="its place among its siblings, 0 first")
    depth: int = Field(description="0 for a top-level category, 1 below it, …")
    product_count: int = Field(description="products directly in it (not in subcategories)")
    child_count: int = Field(description="its direct subcategories")

    @classmethod
    def of(cls, row: taxonomy.CategoryRow) -> CategoryAdminOut:
        return cls(**dataclasses.asdict(row))


class CategoryIn(BaseModel):
    """A category as admins write it; PUT sets every field (those left out: empty)."""

    model_config = ConfigDict(extra="forbid")

    name: NulFreeStr = Field(min_length=1, max_length=100, examples=["Mugs"])
    slug: NulFreeStr | None = Field(
        default=None,
        max_length=taxonomy.CATEGORY_SLUG_LENGTH,
        examples=["kitchen-mugs"],
        description="lowercase letters, digits and hyphens; left out: made from the name "
        "(create) or kept (replace)",
    )
    description: NulFreeStr | None = Field(default=None, max_length=2_000)
    parent_id: uuid.UUID | None = Field(
        default=None, description="the category it is nested under; null: top level"
    )


class CategoryCreateIn(CategoryIn):
    position: int = Field(
        default=0, ge=0, le=100_000, description="its place among its siblings; 0: last"
    )


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset: int = Field(
        ge=-100_000,
        le=100_000,
        examples=[-1],
        description="places to move among its siblings: −1 up, +1 down (kept within them)",
    )


async def _category(category_id: uuid.UUID, viewer: CatalogStaff) -> CategoryAdminOut:
    for row in await taxonomy.list_categories(viewer):
        if row.id == category_id:
            return CategoryAdminOut.of(row)
    raise NotFoundError(taxonomy.CATEGORY_NOT_FOUND)


@router.get(
    "/categories",
    response_model=list[CategoryAdminOut],
    tags=["categories"],
    summary="The whole category tree, each parent before its children (catalog staff)",
    responses=problem_responses(401, 403),
)
async def list_category_tree(viewer: CatalogStaff) -> list[CategoryAdminOut]:
    return [CategoryAdminOut.of(row) for row in await taxonomy.list_categories(viewer)]


@router.post(
    "/categories",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryAdminOut,
    tags=["categories"],
    summary="Create a category (catalog staff)",
    responses=problem_responses(400, 401, 403, 409),
)
async def create_category(data: CategoryCreateIn, viewer: CatalogStaff) -> JSONResponse:
    """409 `duplicate_category_slug`: another category has this address."""
    category_id = await taxonomy.create_category(
        parse_input(CategoryCreate, data.model_dump()), actor=viewer
    )
    body = await _category(category_id, viewer)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/categories/{category_id}"},
    )


@router.get(
    "/categories/{category_id}",
    response_model=CategoryAdminOut,
    tags=["categories"],
    summary="One category (catalog staff)",
    responses=problem_responses(401, 403, 404),
)
async def get_category(category_id: uuid.UUID, viewer: CatalogStaff) -> CategoryAdminOut:
    return await _category(category_id, viewer)


@router.put(
    "/categories/{category_id}",
    response_model=CategoryAdminOut,
    tags=["categories"],
    summary="Rename, describe, re-address or nest a category elsewhere (catalog staff)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def replace_category(
    category_id: uuid.UUID, data: CategoryIn, viewer: CatalogStaff
) -> CategoryAdminOut:
    """A category moved under another parent goes last among its new siblings; never
    under itself or one of its subcategories (400 on `parent_id`)."""
    fields = data.model_dump()
    if fields["slug"] is None:
        fields.pop("slug")  # keep its address
    await taxonomy.update_category(category_id, parse_input(CategoryUpdate, fields), actor=viewer)
    return await _category(category_id, viewer)


@router.post(
    "/categories/{category_id}/move",
    response_model=list[CategoryAdminOut],
    tags=["categories"],
    summary="Move a category up or down among its siblings (catalog staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def move_category(
    category_id: uuid.UUID, data: MoveIn, viewer: CatalogStaff
) -> list[CategoryAdminOut]:
    """The answer is the whole tree in its new order."""
    await taxonomy.move_category(category_id, offset=data.offset, actor=viewer)
    return [CategoryAdminOut.of(row) for row in await taxonomy.list_categories(viewer)]


@router.delete(
    "/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["categories"],
    summary="Delete a category no product or subcategory uses (catalog staff)",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_category(category_id: uuid.UUID, viewer: CatalogStaff) -> Response:
    """409 `category_in_use`, saying what still uses it."""
    await taxonomy.delete_category(category_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- brands -------------------------------------------------------------------------------


class BrandOut(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Kestrel"])
    slug: str = Field(examples=["kestrel"])
    product_count: int = Field(description="products of this brand")

    @classmethod
    def of(cls, row: brand_services.BrandRow) -> BrandOut:
        return cls(id=row.id, name=row.name, slug=row.slug, product_count=row.product_count)


class BrandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NulFreeStr = Field(min_length=1, max_length=100, examples=["Kestrel"])


async def _brand(brand_id: uuid.UUID, viewer: CatalogStaff) -> BrandOut:
    for row in await brand_services.list_brands(viewer):
        if row.id == brand_id:
            return BrandOut.of(row)
    raise NotFoundError(brand_services.BRAND_NOT_FOUND)


@router.get(
    "/brands",
    response_model=list[BrandOut],
    tags=["brands"],
    summary="Every brand, by name (catalog staff)",
    responses=problem_responses(401, 403),
)
async def list_brands(viewer: CatalogStaff) -> list[BrandOut]:
    return [BrandOut.of(row) for row in await brand_services.list_brands(viewer)]


@router.post(
    "/brands",
    status_code=status.HTTP_201_CREATED,
    response_model=BrandOut,
    tags=["brands"],
    summary="Add a brand (catalog staff)",
    responses=problem_responses(400, 401, 403, 409),
)
async def create_brand(data: BrandIn, viewer: CatalogStaff) -> JSONResponse:
    """409 `duplicate_brand`: a brand has this name already."""
    brand_id = await brand_services.create_brand(
        parse_input(BrandCreate, data.model_dump()), actor=viewer
    )
    body = await _brand(brand_id, viewer)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/brands/{brand_id}"},
    )


@router.get(
    "/brands/{brand_id}",
    response_model=BrandOut,
    tags=["brands"],
    summary="One brand (catalog staff)",
    responses=problem_responses(401, 403, 404),
)
async def get_brand(brand_id: uuid.UUID, viewer: CatalogStaff) -> BrandOut:
    return await _brand(brand_id, viewer)


@router.put(
    "/brands/{brand_id}",
    response_model=BrandOut,
    tags=["brands"],
    summary="Rename a brand; its products follow the new name (catalog staff)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def rename_brand(brand_id: uuid.UUID, data: BrandIn, viewer: CatalogStaff) -> BrandOut:
    await brand_services.rename_brand(
        brand_id, parse_input(BrandCreate, data.model_dump()), actor=viewer
    )
    return await _brand(brand_id, viewer)


@router.delete(
    "/brands/{brand_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["brands"],
    summary="Delete a brand no product uses (catalog staff)",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_brand(brand_id: uuid.UUID, viewer: CatalogStaff) -> Response:
    """409 `brand_in_use`: products still name it."""
    await brand_services.delete_brand(brand_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the staff products table and its bulk actions ----------------------------------------


class StaffProductItem(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    sku: str = Field(description="the default variant's SKU")
    brand: str | None
    price: Money = Field(description="the lowest active variant's price")
    currency: str = Field(examples=["USD"])
    stock_quantity: int = Field(description="what sells online, all variants together")
    low_stock_threshold: int
    is_active: bool = Field(description="false: hidden from the storefront")
    category: str = Field(description="its category's name")
    image_url: str | None

    @classmethod
    def of(cls, summary: ProductSummary) -> StaffProductItem:
        return cls(
            id=summary.id,
            slug=summary.slug,
            name=summary.name,
            sku=summary.sku,
            brand=summary.brand,
            price=decimal_string(summary.price),
            currency=summary.currency,
            stock_quantity=summary.stock_quantity,
            low_stock_threshold=summary.low_stock_threshold,
            is_active=summary.is_active,
            category=summary.category_name,
            image_url=summary.image_url,
        )


class StaffProductParams(BaseModel):
    text: NulFreeStr = Field(
        default="", max_length=100, description="part of the name or SKU", examples=["mug"]
    )
    category_id: uuid.UUID | None = Field(default=None, description="with its subcategories")
    brand: NulFreeStr = Field(default="", max_length=100, description="the brand's exact name")
    status: Literal["all", "active", "hidden"] = "all"
    stock: Literal["all", "low", "out"] = Field(
        default="all", description="low: at or below its threshold, not sold out"
    )
    sort: Literal["newest", "name", "price_low", "price_high", "stock_low", "updated"] = "newest"
    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=25, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/products",
    response_model=Paged[StaffProductItem],
    tags=["products"],
    summary="Every product, shown or hidden, found by text, category, brand, status and "
    "stock (catalog staff)",
    responses=problem_responses(400, 401, 403),
)
async def list_staff_products(
    viewer: CatalogStaff, query: Annotated[StaffProductParams, Query()]
) -> Paged[StaffProductItem]:
    found = await list_products_for_staff(
        StaffProductQuery(
            text=query.text.strip(),
            category_id=query.category_id,
            brand=query.brand.strip(),
            status=StatusFilter(query.status),
            stock=StockFilter(query.stock),
            sort=StaffSort(query.sort),
        ),
        page=query.page,
        limit=query.limit,
    )
    return Paged[StaffProductItem](
        items=[StaffProductItem.of(item) for item in found.items],
        pagination=PageMeta.of(page=found.page, limit=found.limit, total=found.total),
    )


ProductIds = Annotated[
    list[uuid.UUID],
    Field(min_length=1, max_length=catalog.MAX_BULK_PRODUCTS, description="the products chosen"),
]


class BulkActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_ids: ProductIds
    active: bool = Field(description="true: show them in the storefront; false: hide them")


class BulkPriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_ids: ProductIds
    percent: Annotated[
        Decimal,
        decimal_input_schema(catalog.MIN_PRICE_CHANGE, catalog.MAX_PRICE_CHANGE),
    ] = Field(
        ge=catalog.MIN_PRICE_CHANGE,
        le=catalog.MAX_PRICE_CHANGE,
        examples=["10", "-15"],
        description="+10 raises every variant's price by 10 %, −15 lowers it (not 0); "
        "rounded half-up to the cent",
    )


class BulkOut(BaseModel):
    changed: int = Field(description="how many products changed (the others already were so)")


@router.post(
    "/products/bulk-active",
    response_model=BulkOut,
    tags=["products"],
    summary="Show or hide many products at once (catalog staff)",
    responses=problem_responses(400, 401, 403),
)
async def bulk_set_active(data: BulkActiveIn, viewer: CatalogStaff) -> BulkOut:
    changed = await catalog.set_products_active(data.product_ids, active=data.active, actor=viewer)
    return BulkOut(changed=changed)


@router.post(
    "/products/bulk-price-change",
    response_model=BulkOut,
    tags=["products"],
    summary="Raise or lower many products' prices by a percentage, all or nothing (catalog staff)",
    responses=problem_responses(400, 401, 403),
)
async def bulk_change_prices(data: BulkPriceIn, viewer: CatalogStaff) -> BulkOut:
    """400 and nothing changed when a price would pass the highest price or reach its
    compare-at price."""
    changed = await catalog.change_prices_by_percent(data.product_ids, data.percent, actor=viewer)
    return BulkOut(changed=changed)


# --- options and variants -----------------------------------------------------------------

OptionValue = Annotated[NulFreeStr, Field(min_length=1, max_length=60, examples=["M"])]
ImageUrlText = Annotated[NulFreeStr, text_input_schema(MAX_URL_LENGTH, format="uri")]


class VariantOptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NulFreeStr = Field(min_length=1, max_length=40, examples=["Size"])
    values: list[OptionValue] = Field(
        min_length=1,
        max_length=MAX_OPTION_VALUES,
        examples=[["S", "M", "L"]],
        description="in the order shoppers see them; each once",
    )
    swatches: dict[OptionValue, ImageUrlText] = Field(
        default_factory=dict,
        examples=[{"Navy": "/media/images/ab12.webp"}],
        description="value → one of the product's images shown as its swatch",
    )


class VariantRowIn(BaseModel):
    """One row of the variants table."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(
        default=None, description="an existing variant to keep (its stock stays); null: new"
    )
    sku: NulFreeStr = Field(min_length=1, max_length=50, examples=["JKT-NAVY-M"])
    price: PriceAmount = Field(ge=0, le=MAX_PRICE, examples=["79.00"])
    compare_at_price: PriceAmount | None = Field(
        default=None, ge=0, le=MAX_PRICE, description="the “was” price, above `price`"
    )
    option_values: list[OptionValue] = Field(
        default_factory=list,
        max_length=MAX_OPTIONS,
        examples=[["M", "Navy"]],
        description="one value of each option, in the options' order",
    )
    stock_quantity: int = Field(
        default=0, ge=0, le=10_000_000, description="the first count of a new variant"
    )
    low_stock_threshold: int = Field(default=5, ge=0, le=100_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    barcode: NulFreeStr | None = Field(default=None, max_length=64)
    image_urls: list[ImageUrlText] = Field(
        default_factory=list, max_length=12, description="chosen among the product's images"
    )
    is_active: bool = Field(default=True, description="false: not sold")


class VariantsIn(BaseModel):
    """A product's whole set of options and variants, saved at once."""

    model_config = ConfigDict(extra="forbid")

    options: list[VariantOptionIn] = Field(default_factory=list, max_length=MAX_OPTIONS)
    variants: list[VariantRowIn] = Field(min_length=1, max_length=MAX_VARIANTS)
    default_sku: NulFreeStr | None = Field(
        default=None, max_length=50, description="the variant shown first; null: the first"
    )


class MatrixIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    options: list[VariantOptionIn] = Field(min_length=1, max_length=MAX_OPTIONS)


class MatrixOut(BaseModel):
    combinations: list[list[str]] = Field(
        examples=[[["S", "Navy"], ["S", "Red"], ["M", "Navy"], ["M", "Red"]]],
        description="every combination of the options' values, the first option slowest",
    )


@router.post(
    "/variant-matrix",
    response_model=MatrixOut,
    tags=["products"],
    summary="Every combination of some options' values: the rows to make (catalog staff)",
    responses=problem_responses(400, 401, 403),
)
async def generate_variant_matrix(data: MatrixIn, viewer: CatalogStaff) -> MatrixOut:
    """What the admin page's "Generate variants" offers; nothing is saved."""
    try:
        options = [OptionInput(**option.model_dump()) for option in data.options]
    except ValueError as error:
        raise InvalidInputError(str(error), {"options": "Each value once per option."}) from error
    combinations = variant_matrix(options)
    if len(combinations) > MAX_VARIANTS:
        raise InvalidInputError(
            f"A product has at most {MAX_VARIANTS} variants.",
            {"options": f"These make {len(combinations)} combinations."},
        )
    return MatrixOut(combinations=[list(combination) for combination in combinations])


@router.put(
    "/products/{product_id}/variants",
    response_model=ProductOut,
    tags=["products"],
    summary="Replace a product's options and variants, all or nothing (catalog staff)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def save_product_variants(
    product_id: uuid.UUID, data: VariantsIn, viewer: CatalogStaff
) -> JSONResponse:
    """Variants named by `id` (or by an existing SKU) keep their stock; the others are
    made with `stock_quantity` as their first count. 409 `duplicate_sku`: another product
    has one of the SKUs."""
    await save_variants(product_id, data.model_dump(mode="json"), actor=viewer)
    return await _product_response(product_id)


# --- images -------------------------------------------------------------------------------


class ImageOut(BaseModel):
    url: str = Field(examples=["/media/images/3f/3fa4….webp"])
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    width: int
    height: int
    image_urls: list[str] = Field(description="the product's images now, this one included")


_IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a JPEG, PNG or WebP picture, at most "
                            f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB",
                        }
                    },
                }
            }
        },
    }
}


async def _multipart_file(request: Request, limit: int, too_large: str) -> bytes:
    """The `file` part of a multipart body, at most `limit` bytes (413 beyond)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(415, "Send the file as multipart/form-data, in a part named file.")
    try:
        form = await request.form(max_files=1, max_fields=5)
    except Exception as error:  # Starlette's MultiPartException: a malformed body
        raise InvalidInputError(
            "The multipart body could not be read.", {"file": "Send one file."}
        ) from error
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInputError("Send the file in a part named file.", {"file": "Send a file."})
    data = await upload.read(limit + 1)
    await form.close()
    if len(data) > limit:
        raise HTTPException(413, too_large)
    return data


@router.post(
    "/products/{product_id}/images",
    status_code=status.HTTP_201_CREATED,
    response_model=ImageOut,
    tags=["products"],
    summary="Upload a picture and add it to the product's images (catalog staff)",
    responses=problem_responses(400, 401, 403, 404, 413, 415),
    openapi_extra=_IMAGE_BODY,
)
async def upload_product_image(
    product_id: uuid.UUID, request: Request, viewer: CatalogStaff
) -> JSONResponse:
    """A product holds at most 12 images (400). 415 for a file that is not a JPEG, PNG or
    WebP picture, 413 for one larger than 10 MB or of too many pixels; the same picture
    twice is listed once."""
    data = await _multipart_file(
        request,
        MAX_IMAGE_BYTES,
        f"The picture is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
    )
    stored = await catalog.add_product_image(product_id, data, actor=viewer)
    record = await queries.get_product(product_id)
    body = ImageOut(
        url=stored.url,
        content_type=stored.content_type,
        width=stored.width,
        height=stored.height,
        image_urls=list(record.image_urls),
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/products/{product_id}"},
    )


# --- CSV import ---------------------------------------------------------------------------


class RejectedRowOut(BaseModel):
    row: int = Field(description="as a spreadsheet numbers it: the header is row 1")
    sku: str
    reason: str = Field(examples=["Row 17: price — The price cannot be negative."])


class PlannedRowOut(BaseModel):
    row: int
    sku: str
    name: str
    action: Literal["create", "update"]
    changes: list[str] = Field(examples=[["price: 19.99 → 17.99", "description"]])


class ImportPreviewOut(BaseModel):
    token: str | None = Field(
        description="send it to POST /admin/product-imports to apply this preview (once, "
        "by the same account, within `expires_in_seconds`); null: nothing to apply",
        examples=["x3Jd9Q0w2mZ7fVbK1pLr8sTn"],
    )
    file_rows: int
    create_count: int
    update_count: int
    unchanged_count: int
    rejected_count: int
    rejected: list[RejectedRowOut] = Field(description="the first 1,000 rows refused")
    sample: list[PlannedRowOut] = Field(description="the first 20 rows to create or update")
    expires_in_seconds: int

    @classmethod
    def of(cls, preview: ImportPreview) -> ImportPreviewOut:
        return cls(
            token=preview.token,
            file_rows=preview.file_rows,
            create_count=preview.create_count,
            update_count=preview.update_count,
            unchanged_count=preview.unchanged_count,
            rejected_count=preview.rejected_count,
            rejected=[RejectedRowOut(**dataclasses.asdict(row)) for row in preview.rejected],
            sample=[
                PlannedRowOut(
                    row=row.row,
                    sku=row.sku,
                    name=row.name,
                    action=row.action,
                    changes=list(row.changes),
                )
                for row in preview.sample
            ],
            expires_in_seconds=preview.expires_in_seconds,
        )


class ImportApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=20,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the preview's `token`",
        examples=["x3Jd9Q0w2mZ7fVbK1pLr8sTn"],
    )


class ImportResultOut(BaseModel):
    created: int
    updated: int
    unchanged: int = Field(description="rows that matched the catalog: nothing written")
    failed: list[RejectedRowOut] = Field(description="checked in the preview, refused now")
    rejected: int = Field(description="rows the preview refused")
    file_rows: int

    @classmethod
    def of(cls, result: ImportResult) -> ImportResultOut:
        return cls(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            failed=[RejectedRowOut(**dataclasses.asdict(row)) for row in result.failed],
            rejected=result.rejected,
            file_rows=result.file_rows,
        )


_CSV_BODY = {
    "requestBody": {
        "required": True,
        # Documented as multipart only: client generators handle one body type best. The
        # route also takes the file as the body itself (text/csv), as curl users expect.
        "description": f"The CSV file (UTF-8, a header row; at most {MAX_FILE_MB} MB) as the "
        "part `file` of a multipart form (or the body itself, sent as text/csv).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


async def _csv_body(request: Request) -> bytes:
    too_large = f"The file is larger than {MAX_FILE_MB} MB: split it into smaller files."
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "text/csv":
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                raise HTTPException(413, too_large)
        return data
    if content_type.startswith("multipart/form-data"):
        return await _multipart_file(request, MAX_FILE_BYTES, too_large)
    raise HTTPException(415, "Send the CSV file as text/csv or as multipart/form-data.")


@router.post(
    "/product-imports/previews",
    response_model=ImportPreviewOut,
    tags=["product imports"],
    summary="Check a CSV file of products: what importing it would do (catalog staff)",
    responses=problem_responses(400, 401, 403, 413, 415),
    openapi_extra=_CSV_BODY,
)
async def preview_product_import(request: Request, viewer: CatalogStaff) -> ImportPreviewOut:
    """Nothing is written to the catalog. Rows with problems are listed in `rejected`;
    a file that cannot be read at all (no header, not UTF-8, required columns missing)
    is a 400. Apply the preview with its `token`."""
    return ImportPreviewOut.of(await preview_import(viewer, await _csv_body(request)))


@router.post(
    "/product-imports",
    response_model=ImportResultOut,
    tags=["product imports"],
    summary="Apply a checked CSV import by its preview token (catalog staff)",
    responses=problem_responses(400, 401, 403, 409),
)
async def apply_product_import(data: ImportApplyIn, viewer: CatalogStaff) -> ImportResultOut:
    """409 `import_expired`: the token was spent already, expired, or is another
    account's; preview the file again."""
    return ImportResultOut.of(await apply_import(viewer, data.token))
