"""Taxes (admins): rates by country, optionally region (US states, Canadian provinces),
and tax class; whether catalog prices include tax; and a preview of what checkout offers
and charges for an address. Orders keep the tax lines they were placed with."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import SettingsStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.checkout.address_preview import preview_address
from backend.core.money import decimal_string
from backend.core.validation import decimal_input_schema
from backend.tax import rates as tax_rates
from backend.tax import services as taxes
from backend.tax.services import TaxRateInput

router = APIRouter(prefix="/taxes", tags=["taxes"], route_class=EdgeRoute)


class TaxRateOut(BaseModel):
    id: uuid.UUID
    country: str
    region: str = Field(description='"" for the whole country; else an ISO 3166-2 code: "CA".')
    tax_class: str
    name: str
    percent: str = Field(examples=["19", "8.875"])

    @classmethod
    def of(cls, rate: taxes.TaxRateView) -> TaxRateOut:
        return cls(
            id=rate.id,
            country=rate.country,
            region=rate.region,
            tax_class=rate.tax_class,
            name=rate.name,
            percent=f"{rate.percent.normalize():f}",
        )


class TaxClassOut(BaseModel):
    code: str
    name: str


class TaxConfigurationIn(BaseModel):
    prices_include_tax: bool = Field(
        description="true: catalog prices include tax (EU/UK); false: tax is added (US)."
    )


class TaxConfigurationOut(TaxConfigurationIn):
    tax_classes: list[TaxClassOut]


class PreviewMethod(BaseModel):
    code: str
    name: str
    price: str


class PreviewTax(BaseModel):
    tax_class: str
    name: str
    percent: str


class PreviewParams(BaseModel):
    country: str = Field(min_length=2, max_length=2, examples=["DE"])
    region: str = Field(default="", max_length=100)
    postcode: str = Field(default="", max_length=20)
    weight_kg: Annotated[Decimal, decimal_input_schema(Decimal(0), Decimal(100_000), places=3)] = (
        Field(default=Decimal(1), ge=0, le=100_000, description="Sample order")
    )
    order_value: Annotated[Decimal, decimal_input_schema(Decimal(0), Decimal(10**9))] = Field(
        default=Decimal(50), ge=0, le=10**9, description="Sample order"
    )


class CheckoutPreviewOut(BaseModel):
    place: str
    zone: str | None = Field(description="null: no zone covers the address (not shipped to).")
    methods: list[PreviewMethod]
    taxes: list[PreviewTax]
    shipping_taxed: bool
    prices_include_tax: bool


async def _rate(viewer: SettingsStaff, rate_id: uuid.UUID) -> TaxRateOut:
    return TaxRateOut.of(await taxes.get_tax_rate(rate_id, actor=viewer))


@router.get(
    "/rates",
    response_model=list[TaxRateOut],
    summary="Every tax rate (admins)",
    responses=problem_responses(401, 403),
)
async def list_rates(viewer: SettingsStaff) -> list[TaxRateOut]:
    return [TaxRateOut.of(rate) for rate in await taxes.list_tax_rates(viewer)]


@router.post(
    "/rates",
    status_code=status.HTTP_201_CREATED,
    response_model=TaxRateOut,
    summary="Add a tax rate (admins)",
    responses=problem_responses(400, 401, 403),
)
async def create_rate(data: TaxRateInput, viewer: SettingsStaff, response: Response) -> TaxRateOut:
    """400 when the place and class has a rate already (change that one)."""
    rate_id = await taxes.save_tax_rate(data, actor=viewer)
    response.headers["Location"] = f"/api/v1/taxes/rates/{rate_id}"
    return await _rate(viewer, rate_id)


@router.put(
    "/rates/{rate_id}",
    response_model=TaxRateOut,
    summary="Change a tax rate (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def update_rate(rate_id: uuid.UUID, data: TaxRateInput, viewer: SettingsStaff) -> TaxRateOut:
    await taxes.save_tax_rate(data, actor=viewer, rate_id=rate_id)
    return await _rate(viewer, rate_id)


@router.delete(
    "/rates/{rate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tax rate (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_rate(rate_id: uuid.UUID, viewer: SettingsStaff) -> Response:
    await taxes.delete_tax_rate(rate_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _configuration() -> TaxConfigurationOut:
    return TaxConfigurationOut(
        prices_include_tax=await tax_rates.prices_include_tax(),
        tax_classes=[TaxClassOut(code=c.code, name=c.name) for c in await taxes.list_tax_classes()],
    )


@router.get(
    "/configuration",
    response_model=TaxConfigurationOut,
    summary="Whether prices include tax, and the tax classes (admins)",
    responses=problem_responses(401, 403),
)
async def get_configuration(viewer: SettingsStaff) -> TaxConfigurationOut:
    await taxes.list_tax_rates(viewer)  # admins only, as the service decides
    return await _configuration()


@router.put(
    "/configuration",
    response_model=TaxConfigurationOut,
    summary="Choose whether catalog prices include tax (admins)",
    responses=problem_responses(400, 401, 403),
)
async def put_configuration(data: TaxConfigurationIn, viewer: SettingsStaff) -> TaxConfigurationOut:
    await taxes.set_prices_include_tax(data.prices_include_tax, actor=viewer)
    return await _configuration()


@router.get(
    "/checkout-preview",
    response_model=CheckoutPreviewOut,
    summary="What checkout offers and charges an address (admins)",
    responses=problem_responses(400, 401, 403),
)
async def checkout_preview(
    viewer: SettingsStaff, where: Annotated[PreviewParams, Query()]
) -> CheckoutPreviewOut:
    result = await preview_address(viewer, **where.model_dump())
    return CheckoutPreviewOut(
        place=result.place,
        zone=result.zone,
        methods=[
            PreviewMethod(code=o.code, name=o.label, price=decimal_string(o.price))
            for o in result.options
        ],
        taxes=[
            PreviewTax(
                tax_class=class_name, name=rate.name, percent=f"{rate.percent.normalize():f}"
            )
            for class_name, rate in result.taxes
        ],
        shipping_taxed=result.shipping_taxed,
        prices_include_tax=result.prices_include_tax,
    )
