"""Stock as staff with the inventory permission run it, the same services as the admin
pages: the stock locations (`admin/pages/locations.py`), a variant found by SKU with its
stock at each location, adjustments and transfers (`inventory.py`), the stock ledger, and
what shoppers wait for to come back in stock (`demand.py`). The services check the
permission again."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.v1.auth import InventoryStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from api.v1.products import VariantOut
from backend.catalog import queries as catalog
from backend.catalog.variant_queries import find_variant_by_sku
from backend.core.errors import NotFoundError
from backend.core.pagination import MAX_PAGE_SIZE
from backend.core.validation import NulFreeStr
from backend.inventory import locations
from backend.inventory import services as inventory
from backend.inventory.locations import HeldAt
from backend.inventory.models import MAX_LOCATION_NAME
from backend.stock_notices import queries as stock_notices

router = APIRouter(prefix="/admin", tags=["inventory"], route_class=EdgeRoute)

# --- locations ----------------------------------------------------------------------------

AddressPart = Annotated[NulFreeStr, Field(max_length=locations.MAX_ADDRESS_PART)]


class AddressIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: AddressPart = Field(default="", examples=["12 Harbour Road"])
    city: AddressPart = Field(default="", examples=["Bristol"])
    postal_code: AddressPart = Field(default="", examples=["BS1 5TY"])
    country: AddressPart = Field(default="", examples=["GB"])


class LocationOut(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Main warehouse"])
    address: AddressIO
    sells_online: bool = Field(description="its stock is what the storefront sells")
    priority: int = Field(description="orders take stock from the online locations, 1 first")
    units: int = Field(description="all stock held there")

    @classmethod
    def of(cls, record: locations.LocationRecord) -> LocationOut:
        return cls(
            id=record.id,
            name=record.name,
            address=AddressIO(
                **{part: record.address.get(part, "") for part in locations.ADDRESS_PARTS}
            ),
            sells_online=record.sells_online,
            priority=record.priority,
            units=record.units,
        )


class LocationIn(BaseModel):
    """A location; PUT sets every field."""

    model_config = ConfigDict(extra="forbid")

    name: NulFreeStr = Field(min_length=1, max_length=MAX_LOCATION_NAME, examples=["Back room"])
    address: AddressIO = Field(default_factory=AddressIO)
    sells_online: bool = Field(
        description="switching it changes at once what the storefront sells of everything "
        "it holds; at least one location sells online"
    )
    priority: int = Field(ge=1, le=1000, examples=[2], description="1 is drawn from first")

    def as_form(self) -> dict[str, object]:
        return {
            "name": self.name,
            **self.address.model_dump(),
            "sells_online": self.sells_online,
            "priority": str(self.priority),
        }


async def _location(location_id: uuid.UUID, viewer: InventoryStaff) -> LocationOut:
    for record in await locations.list_locations(actor=viewer):
        if record.id == location_id:
            return LocationOut.of(record)
    raise NotFoundError("There is no such stock location.")


@router.get(
    "/locations",
    response_model=list[LocationOut],
    summary="Every stock location, in the order orders draw from them (inventory staff)",
    responses=problem_responses(401, 403),
)
async def list_locations(viewer: InventoryStaff) -> list[LocationOut]:
    return [LocationOut.of(record) for record in await locations.list_locations(actor=viewer)]


@router.post(
    "/locations",
    status_code=status.HTTP_201_CREATED,
    response_model=LocationOut,
    summary="Add a stock location (inventory staff)",
    responses=problem_responses(400, 401, 403),
)
async def create_location(data: LocationIn, viewer: InventoryStaff) -> JSONResponse:
    """400 on `name` when another location has this name."""
    location_id = await locations.create_location(data.as_form(), actor=viewer)
    body = await _location(location_id, viewer)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/locations/{location_id}"},
    )


@router.get(
    "/locations/{location_id}",
    response_model=LocationOut,
    summary="One stock location (inventory staff)",
    responses=problem_responses(401, 403, 404),
)
async def get_location(location_id: uuid.UUID, viewer: InventoryStaff) -> LocationOut:
    return await _location(location_id, viewer)


@router.put(
    "/locations/{location_id}",
    response_model=LocationOut,
    summary="Rename, move, reorder or switch a location's online selling (inventory staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def replace_location(
    location_id: uuid.UUID, data: LocationIn, viewer: InventoryStaff
) -> LocationOut:
    """Locations are never deleted (their history stays): switch one off online instead.
    400 on `sells_online` when it is the last one selling online."""
    await locations.update_location(location_id, data.as_form(), actor=viewer)
    return await _location(location_id, viewer)


# --- a variant's stock ----------------------------------------------------------------------


class FoundVariantOut(BaseModel):
    product_id: uuid.UUID
    product_name: str
    variant: VariantOut


@router.get(
    "/variants",
    response_model=FoundVariantOut,
    summary="The variant with this SKU, with its product (inventory staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def find_variant(
    viewer: InventoryStaff,
    sku: Annotated[
        NulFreeStr,
        Query(min_length=1, max_length=50, examples=["JKT-NAVY-M"], description="any case"),
    ],
) -> FoundVariantOut:
    """A product without options has one variant, with the product's SKU."""
    found = await find_variant_by_sku(sku)
    if found is None:
        raise NotFoundError("No product has that SKU.")
    product_id, variant_id = found
    record = await catalog.get_product(product_id)
    variant = next(v for v in record.variants if v.id == variant_id)
    return FoundVariantOut(
        product_id=product_id,
        product_name=record.summary.name,
        variant=VariantOut.of(variant, record.options),
    )


class HeldOut(BaseModel):
    location_id: uuid.UUID
    location: str = Field(examples=["Main warehouse"])
    sells_online: bool
    quantity: int


class VariantStockOut(BaseModel):
    variant_id: uuid.UUID
    online: int = Field(description="what the storefront sells: the online locations' sum")
    locations: list[HeldOut] = Field(description="every location (0 where none is held)")

    @classmethod
    def of(cls, variant_id: uuid.UUID, held: list[HeldAt]) -> VariantStockOut:
        return cls(
            variant_id=variant_id,
            online=sum(h.quantity for h in held if h.sells_online),
            locations=[
                HeldOut(
                    location_id=h.location_id,
                    location=h.location,
                    sells_online=h.sells_online,
                    quantity=h.quantity,
                )
                for h in held
            ],
        )


async def _stock(variant_id: uuid.UUID, viewer: InventoryStaff) -> VariantStockOut:
    return VariantStockOut.of(variant_id, await locations.variant_stock(variant_id, actor=viewer))


@router.get(
    "/variants/{variant_id}/stock",
    response_model=VariantStockOut,
    summary="A variant's stock at each location, in priority order (inventory staff)",
    responses=problem_responses(401, 403, 404),
)
async def get_variant_stock(variant_id: uuid.UUID, viewer: InventoryStaff) -> VariantStockOut:
    return await _stock(variant_id, viewer)


Reason = Literal["restock", "correction", "damaged", "returned"]
Note = Annotated[NulFreeStr, Field(max_length=500, examples=["Counted on Monday"])]


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_id: uuid.UUID | None = Field(
        default=None, description="where; null: the first location that sells online"
    )
    change: int = Field(
        ge=-inventory.MAX_ADJUSTMENT,
        le=inventory.MAX_ADJUSTMENT,
        examples=[12, -3],
        description="how many to add (12) or remove (−3); not 0, never below zero",
    )
    reason: Reason = Field(
        description="restock, correction (a stock count), damaged (or lost), returned"
    )
    note: Note = ""


class AdjustedOut(VariantStockOut):
    quantity_after: int = Field(description="what the location holds now")


@router.post(
    "/variants/{variant_id}/stock-adjustments",
    response_model=AdjustedOut,
    summary="Add or remove stock of a variant at a location, with the reason (inventory staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def adjust_stock(
    variant_id: uuid.UUID, data: AdjustmentIn, viewer: InventoryStaff
) -> AdjustedOut:
    """Recorded in the stock ledger and the audit log. 400 on `change` when it would take
    the location below zero; 404 for an unknown variant or location."""
    after = await inventory.adjust_stock(
        variant_id,
        change=data.change,
        reason=data.reason,
        note=data.note,
        actor=viewer,
        location_id=data.location_id,
    )
    stock = await _stock(variant_id, viewer)
    return AdjustedOut(**stock.model_dump(), quantity_after=after)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_location_id: uuid.UUID = Field(description="where the stock is")
    to_location_id: uuid.UUID = Field(description="where it goes (another location)")
    quantity: int = Field(ge=1, le=inventory.MAX_TRANSFER, examples=[5])
    note: Note = ""


@router.post(
    "/variants/{variant_id}/stock-transfers",
    response_model=VariantStockOut,
    summary="Move stock of a variant from one location to another (inventory staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def transfer_stock(
    variant_id: uuid.UUID, data: TransferIn, viewer: InventoryStaff
) -> VariantStockOut:
    """Both ledgers record it in one transaction. 400 on `quantity` when the source holds
    fewer, on `to_location` for the same location twice; 404 for an unknown variant or
    location."""
    await inventory.transfer_stock(
        variant_id,
        from_location=data.from_location_id,
        to_location=data.to_location_id,
        quantity=data.quantity,
        note=data.note,
        actor=viewer,
    )
    return await _stock(variant_id, viewer)


# --- the ledger ---------------------------------------------------------------------------


class StockMovementOut(BaseModel):
    at: datetime
    product_id: uuid.UUID
    variant_id: uuid.UUID
    variant_title: str = Field(examples=["M / Navy"], description="empty without options")
    location_id: uuid.UUID
    location: str
    change: int = Field(examples=[-2])
    quantity_after: int = Field(description="what the location held afterwards")
    reason: str = Field(examples=["restock"], description="as stored: restock, transfer, …")
    reason_label: str = Field(examples=["Restock"])
    note: str
    who: str = Field(description="the staff member's username, “shopper” or “system”")
    order_id: uuid.UUID | None

    @classmethod
    def of(cls, movement: inventory.MovementRecord) -> StockMovementOut:
        return cls(
            at=movement.at,
            product_id=movement.product_id,
            variant_id=movement.variant_id,
            variant_title=movement.variant_title,
            location_id=movement.location_id,
            location=movement.location,
            change=movement.change,
            quantity_after=movement.quantity_after,
            reason=movement.reason_code,
            reason_label=movement.reason,
            note=movement.note,
            who=movement.who,
            order_id=movement.order_id,
        )


class MovementParams(BaseModel):
    product_id: uuid.UUID | None = None
    variant_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    reason: str | None = Field(
        default=None,
        pattern=r"^[a-z_]{1,40}$",
        examples=["restock"],
        description="restock, correction, damaged, returned, transfer, order_placed, "
        "order_cancelled, csv_import, …",
    )
    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/stock-movements",
    response_model=Paged[StockMovementOut],
    summary="The stock ledger, newest first, by product, variant, location, order or reason "
    "(inventory staff)",
    responses=problem_responses(400, 401, 403),
)
async def list_stock_movements(
    viewer: InventoryStaff, query: Annotated[MovementParams, Query()]
) -> Paged[StockMovementOut]:
    found = await inventory.find_movements(
        inventory.MovementFilter(
            product_id=query.product_id,
            variant_id=query.variant_id,
            location_id=query.location_id,
            reason=query.reason,
            order_id=query.order_id,
        ),
        actor=viewer,
        page=query.page,
        limit=query.limit,
    )
    return Paged[StockMovementOut](
        items=[StockMovementOut.of(item) for item in found.items],
        pagination=PageMeta.of(page=found.page, limit=found.limit, total=found.total),
    )


# --- back-in-stock demand -----------------------------------------------------------------


class DemandOut(BaseModel):
    product_id: uuid.UUID
    name: str
    sku: str
    stock_quantity: int
    waiting: int = Field(description="confirmed subscribers")
    unconfirmed: int = Field(description="guests who have not confirmed yet")


@router.get(
    "/stock-notices/demand",
    response_model=list[DemandOut],
    summary="Products shoppers wait for, the most wanted first (inventory staff)",
    responses=problem_responses(400, 401, 403),
)
async def stock_notice_demand(
    viewer: InventoryStaff,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many products")] = 100,
) -> list[DemandOut]:
    rows = await stock_notices.list_demand(viewer, limit=limit)
    return [DemandOut(**dataclasses.asdict(row)) for row in rows]
