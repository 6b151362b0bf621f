"""Shipping: the methods your cart can ship by to an address (shoppers), and the zones
and methods behind them (admins). Zones hold countries, optionally narrowed to regions or
postcode prefixes; an address ships by the most specific zone covering it. A method is
priced flat, by the order's weight in kilograms or by its value (bands: the first band
whose `up_to` reaches the order; the band without `up_to` takes the rest), free from
`free_above` when set."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import CurrentViewer, SettingsStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.cart import owners as cart_owners
from backend.core.money import decimal_string
from backend.core.regions import country_name
from backend.orders import queries as order_queries
from backend.shipping import quotes as shipping_quotes
from backend.shipping import services as shipping
from backend.shipping.inputs import MethodInput, ZoneInput

router = APIRouter(prefix="/shipping", tags=["shipping"], route_class=EdgeRoute)

Money = Annotated[str, Field(examples=["4.95"])]


class ShippingMethodOffer(BaseModel):
    code: str = Field(description="What `shipping_method` takes when you place the order.")
    name: str
    delivery_time: str
    price: Money


class BandOut(BaseModel):
    up_to: str | None = Field(description="Kilograms or an amount; null: everything above.")
    price: Money


class ExcludedOut(BaseModel):
    id: uuid.UUID
    name: str


class MethodOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    delivery_time: str
    rate_basis: str = Field(description="flat, weight or value")
    flat_price: Money | None
    free_above: Money | None
    bands: list[BandOut]
    excluded_categories: list[ExcludedOut]
    excluded_products: list[ExcludedOut]
    is_active: bool

    @classmethod
    def of(cls, method: shipping.MethodView) -> MethodOut:
        return cls(
            id=method.id,
            code=method.code,
            name=method.name,
            delivery_time=method.delivery_time,
            rate_basis=method.rate_basis,
            flat_price=None if method.flat_price is None else decimal_string(method.flat_price),
            free_above=None if method.free_above is None else decimal_string(method.free_above),
            bands=[
                BandOut(
                    up_to=None if band.up_to is None else f"{band.up_to.normalize():f}",
                    price=decimal_string(band.price),
                )
                for band in method.bands
            ],
            excluded_categories=[ExcludedOut(id=i, name=n) for i, n in method.excluded_categories],
            excluded_products=[ExcludedOut(id=i, name=n) for i, n in method.excluded_products],
            is_active=method.is_active,
        )


class ZoneOut(BaseModel):
    id: uuid.UUID
    name: str
    countries: list[str]
    regions: list[str]
    postcode_prefixes: list[str]
    taxes_shipping: bool
    methods: list[MethodOut]

    @classmethod
    def of(cls, zone: shipping.ZoneView) -> ZoneOut:
        return cls(
            id=zone.id,
            name=zone.name,
            countries=list(zone.countries),
            regions=list(zone.regions),
            postcode_prefixes=list(zone.postcode_prefixes),
            taxes_shipping=zone.taxes_shipping,
            methods=[MethodOut.of(method) for method in zone.methods],
        )


class CountryOut(BaseModel):
    code: str = Field(examples=["DE"], description="Send it as an address's `country`.")
    name: str = Field(examples=["Germany"])


@router.get(
    "/countries",
    response_model=list[CountryOut],
    summary="The countries the shop ships to (its home country first)",
)
async def shipping_countries() -> list[CountryOut]:
    """Every country a shipping zone covers, for an address form's country list; the
    first is the shop's home country, checkout's default."""
    return [
        CountryOut(code=code, name=country_name(code))
        for code in await shipping_quotes.countries_shipped_to()
    ]


@router.get(
    "/methods",
    response_model=list[ShippingMethodOffer],
    summary="The methods your cart can ship by to an address, with prices",
    responses=problem_responses(400, 401),
)
async def shipping_methods(
    viewer: CurrentViewer,
    country: Annotated[str, Query(min_length=2, max_length=2, examples=["DE"])],
    region: Annotated[str, Query(max_length=100)] = "",
    postcode: Annotated[str, Query(max_length=20)] = "",
) -> list[ShippingMethodOffer]:
    """Before discounts. 400 "We don't ship to …" when no zone covers the address."""
    offers = await order_queries.shipping_choices(
        cart_owners.user_owner(viewer.user_id),
        country=country,
        region=region or None,
        postcode=postcode or None,
    )
    return [
        ShippingMethodOffer(
            code=o.code, name=o.label, delivery_time=o.delivery, price=decimal_string(o.price)
        )
        for o in offers
    ]


async def _zone(viewer: SettingsStaff, zone_id: uuid.UUID) -> ZoneOut:
    return ZoneOut.of(await shipping.get_zone(zone_id, actor=viewer))


@router.get(
    "/zones",
    response_model=list[ZoneOut],
    summary="Every shipping zone with its methods (admins)",
    responses=problem_responses(401, 403),
)
async def list_zones(viewer: SettingsStaff) -> list[ZoneOut]:
    return [ZoneOut.of(zone) for zone in await shipping.list_zones(viewer)]


@router.post(
    "/zones",
    status_code=status.HTTP_201_CREATED,
    response_model=ZoneOut,
    summary="Add a shipping zone (admins)",
    responses=problem_responses(400, 401, 403),
)
async def create_zone(data: ZoneInput, viewer: SettingsStaff, response: Response) -> ZoneOut:
    """400 when a country is in another zone at the same level (country, regions,
    postcodes): every address belongs to one zone."""
    zone_id = await shipping.save_zone(data, actor=viewer)
    response.headers["Location"] = f"/api/v1/shipping/zones/{zone_id}"
    return await _zone(viewer, zone_id)


@router.put(
    "/zones/{zone_id}",
    response_model=ZoneOut,
    summary="Change a shipping zone (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def update_zone(zone_id: uuid.UUID, data: ZoneInput, viewer: SettingsStaff) -> ZoneOut:
    await shipping.save_zone(data, actor=viewer, zone_id=zone_id)
    return await _zone(viewer, zone_id)


@router.delete(
    "/zones/{zone_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a shipping zone and its methods (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_zone(zone_id: uuid.UUID, viewer: SettingsStaff) -> Response:
    await shipping.delete_zone(zone_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/zones/{zone_id}/methods",
    status_code=status.HTTP_201_CREATED,
    response_model=ZoneOut,
    summary="Add a method to a zone (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def create_method(zone_id: uuid.UUID, data: MethodInput, viewer: SettingsStaff) -> ZoneOut:
    await shipping.save_method(data, actor=viewer, zone_id=zone_id)
    return await _zone(viewer, zone_id)


@router.put(
    "/methods/{method_id}",
    response_model=MethodOut,
    summary="Change a method: its bands and exclusions are replaced (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def update_method(
    method_id: uuid.UUID, data: MethodInput, viewer: SettingsStaff
) -> MethodOut:
    await shipping.save_method(data, actor=viewer, method_id=method_id)
    return MethodOut.of(await shipping.get_method(method_id, actor=viewer))


@router.delete(
    "/methods/{method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a method (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_method(method_id: uuid.UUID, viewer: SettingsStaff) -> Response:
    await shipping.delete_method(method_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class MethodActiveIn(BaseModel):
    active: bool = Field(
        description="true: offered at checkout again; false: no longer offered (it stays "
        "configured, with its bands and exclusions).",
        examples=[False],
    )


@router.put(
    "/methods/{method_id}/active",
    response_model=MethodOut,
    summary="Offer a method at checkout, or stop offering it (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_method_active(
    method_id: uuid.UUID, data: MethodActiveIn, viewer: SettingsStaff
) -> MethodOut:
    """The same switch as the admin's shipping page. Switching it to what it already is
    changes nothing."""
    await shipping.set_method_active(method_id, active=data.active, actor=viewer)
    return MethodOut.of(await shipping.get_method(method_id, actor=viewer))
