"""Staff editing tax rates and the shop's tax configuration (administrators; audited).
Checkout reads them fresh for each order; orders keep the tax lines they were charged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.regions import canonical_region, is_country_code
from backend.core.validation import decimal_input_schema, text_input_schema
from backend.tax import rates
from backend.tax.models import TaxClass, TaxConfiguration, TaxRate

WHAT = "manage taxes"
TAX_CLASS_CODE = r"^[a-z][a-z0-9_-]{0,19}$"  # tax_classes.code: String(20), CHECK code_form


class TaxRateInput(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    country: Annotated[str, text_input_schema(2, pattern=r"^[A-Z]{2}$")]
    region: Annotated[str, StringConstraints(max_length=60)] = ""
    tax_class: Annotated[str, text_input_schema(20, pattern=TAX_CLASS_CODE)] = "standard"
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "Tax"
    percent: Annotated[
        Decimal,
        Field(ge=0, le=100, max_digits=6, decimal_places=3),
        decimal_input_schema(Decimal(0), Decimal(100), places=3),
    ]

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        code = str(value or "").strip().upper()
        if not is_country_code(code):
            msg = "Enter a two-letter country code, e.g. DE, US."
            raise ValueError(msg)
        return code

    @model_validator(mode="after")
    def _canonical_region(self) -> TaxRateInput:
        object.__setattr__(self, "region", canonical_region(self.country, self.region))
        return self


@dataclass(frozen=True)
class TaxRateView:
    id: uuid.UUID
    country: str
    region: str
    tax_class: str
    name: str
    percent: Decimal


@dataclass(frozen=True)
class TaxClassView:
    code: str
    name: str


async def list_tax_classes() -> list[TaxClassView]:
    async with session_scope() as session:
        rows = (await session.exec(select(TaxClass).order_by(col(TaxClass.position)))).all()
    return [TaxClassView(row.code, row.name) for row in rows]


async def list_tax_rates(actor: Viewer) -> list[TaxRateView]:
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(TaxRate).order_by(
                    col(TaxRate.country), col(TaxRate.region), col(TaxRate.tax_class)
                )
            )
        ).all()
    return [
        TaxRateView(row.id, row.country, row.region, row.tax_class, row.name, row.percent)
        for row in rows
    ]


async def get_tax_rate(rate_id: uuid.UUID, *, actor: Viewer) -> TaxRateView:
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope() as session:
        row = await session.get(TaxRate, rate_id)
    if row is None:
        raise NotFoundError("There is no such tax rate.")
    return TaxRateView(row.id, row.country, row.region, row.tax_class, row.name, row.percent)


def _snapshot(rate: TaxRate) -> dict[str, object]:
    return {
        "country": rate.country,
        "region": rate.region,
        "tax_class": rate.tax_class,
        "name": rate.name,
        "percent": rate.percent,
    }


async def save_tax_rate(
    data: TaxRateInput, *, actor: Viewer, rate_id: uuid.UUID | None = None
) -> uuid.UUID:
    """Add a rate, or change the one with `rate_id`. A place and class has one rate:
    adding another for it raises InvalidInputError."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    try:
        async with session_scope(then=rates.forget_cached) as session:
            if await session.get(TaxClass, data.tax_class) is None:
                raise InvalidInputError(
                    "Please correct the tax rate.", {"tax_class": "Choose a tax class."}
                )
            before = None
            if rate_id is None:
                rate = TaxRate(country=data.country, percent=data.percent)
            else:
                found = await session.get(TaxRate, rate_id, with_for_update=True)
                if found is None:
                    raise NotFoundError("There is no such tax rate.")
                rate, before = found, _snapshot(found)
            rate.country, rate.region, rate.tax_class = data.country, data.region, data.tax_class
            rate.name, rate.percent = data.name, data.percent
            session.add(rate)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="tax_rate.created" if before is None else "tax_rate.updated",
                entity_type="tax_rate",
                entity_id=rate.id,
                before=before,
                after=_snapshot(rate),
            )
            return rate.id
    except IntegrityError as error:
        if "tax_rates_place_class_key" in str(error):
            raise InvalidInputError(
                "Please correct the tax rate.",
                {"percent": "This country, region and class has a rate already: change that one."},
            ) from None
        raise


async def delete_tax_rate(rate_id: uuid.UUID, *, actor: Viewer) -> None:
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope(then=rates.forget_cached) as session:
        rate = await session.get(TaxRate, rate_id, with_for_update=True)
        if rate is None:
            raise NotFoundError("There is no such tax rate.")
        await audit.delete_recorded(
            session,
            rate,
            actor=actor,
            entity_type="tax_rate",
            entity_id=rate_id,
            before=_snapshot(rate),
        )


async def set_prices_include_tax(include: bool, *, actor: Viewer) -> None:
    """Whether catalog prices include tax (EU/UK) or tax is added at checkout (US)."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope(then=rates.forget_cached) as session:
        found = await session.get(TaxConfiguration, 1, with_for_update=True)
        config = found or TaxConfiguration(id=1)
        before = config.prices_include_tax
        config.prices_include_tax = include
        session.add(config)
        audit.record(
            session,
            actor=actor,
            action="tax_configuration.updated",
            entity_type="tax_configuration",
            entity_id=1,
            before={"prices_include_tax": before},
            after={"prices_include_tax": include},
        )
