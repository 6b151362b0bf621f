"""What staff submit for a zone or a method, validated with a message per field."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from backend.accounts.inputs import COUNTRY_CODE, REGION_MAX_LENGTH
from backend.core.errors import InvalidInputError
from backend.core.regions import canonical_region, is_country_code
from backend.core.validation import decimal_input_schema, text_input_schema
from backend.shipping.rules import normalize_postcode

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
# Amounts and weights as the columns hold them: NUMERIC(10, 2) prices, NUMERIC(12, 2)
# thresholds, NUMERIC(12, 3) band limits (kilograms or an order value).
MAX_PRICE = Decimal("99999999.99")
MAX_THRESHOLD = Decimal("9999999999.99")
MAX_BAND_LIMIT = Decimal("999999999.999")
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=10, decimal_places=2),
    decimal_input_schema(Decimal(0), MAX_PRICE),
]
CODE_MAX_LENGTH = 40
POSTCODE_PREFIX_MAX_LENGTH = 10
CountryText = Annotated[str, text_input_schema(2, pattern=COUNTRY_CODE.pattern)]
# A zone's region is kept as given when it is no known subdivision; one longer than an
# address's region can hold never matches an address, so clients are told that bound.
RegionText = Annotated[str, text_input_schema(REGION_MAX_LENGTH)]
PrefixText = Annotated[str, text_input_schema(POSTCODE_PREFIX_MAX_LENGTH)]


def _listed(value: object) -> object:
    """ "DE, FR  NL" → ["DE", "FR", "NL"]; lists pass through."""
    if isinstance(value, str):
        return [item for item in re.split(r"[,\s]+", value) if item]
    return value


class ZoneInput(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    countries: list[CountryText] = Field(min_length=1, max_length=250)
    # Region codes or names ("CA", "California"); postcode prefixes ("10", "SW1").
    regions: list[RegionText] = Field(default_factory=list, max_length=200)
    postcode_prefixes: list[PrefixText] = Field(default_factory=list, max_length=500)
    taxes_shipping: bool = True

    @field_validator("countries", "regions", "postcode_prefixes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _listed(value)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        codes = list(dict.fromkeys(code.strip().upper() for code in value))
        unknown = [code for code in codes if not is_country_code(code)]
        if unknown:
            msg = f"Not a country code: {', '.join(unknown)} (use two letters, e.g. DE, FR)."
            raise ValueError(msg)
        return codes

    @field_validator("postcode_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        prefixes = [normalize_postcode(prefix) for prefix in value]
        if any(
            not prefix.isalnum() or len(prefix) > POSTCODE_PREFIX_MAX_LENGTH for prefix in prefixes
        ):
            msg = "Postcode prefixes are letters and digits, up to 10 each (e.g. 10, SW1)."
            raise ValueError(msg)
        return list(dict.fromkeys(prefixes))

    @model_validator(mode="after")
    def _regions_of_one_country(self) -> ZoneInput:
        if self.regions and len(self.countries) != 1:
            raise ValueError("Regions narrow one country: list a single country with them.")
        if self.regions:
            regions = [canonical_region(self.countries[0], region) for region in self.regions]
            object.__setattr__(self, "regions", list(dict.fromkeys(regions)))
        return self


class BandInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    up_to: (
        Annotated[
            Decimal,
            Field(gt=0, max_digits=12, decimal_places=3),
            decimal_input_schema(Decimal(0), MAX_BAND_LIMIT, places=3, above_minimum=True),
        ]
        | None
    ) = None
    price: Money


class MethodInput(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    code: Annotated[str, text_input_schema(CODE_MAX_LENGTH, pattern=f"^{_CODE.pattern}$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    delivery_time: Annotated[str, StringConstraints(max_length=80)] = ""
    rate_basis: Literal["flat", "weight", "value"] = "flat"
    flat_price: Money | None = None
    free_above: (
        Annotated[
            Decimal,
            Field(ge=0, max_digits=12, decimal_places=2),
            decimal_input_schema(Decimal(0), MAX_THRESHOLD),
        ]
        | None
    ) = None
    bands: list[BandInput] = Field(default_factory=list, max_length=50)
    excluded_category_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    excluded_product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    is_active: bool = True

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        code = str(value or "").strip().lower()
        if not _CODE.fullmatch(code):
            msg = "Use lower-case letters, digits, - and _ (e.g. standard, express)."
            raise ValueError(msg)
        return code

    @field_validator("flat_price", "free_above", mode="before")
    @classmethod
    def _amount(cls, value: object) -> object:
        """A form's empty field is none. What a before-validator returns is checked as
        Python data, which the API's strict mode takes only as a Decimal: text ("4.95")
        and JSON numbers are made one here."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            try:
                return Decimal(str(value).strip())
            except InvalidOperation:
                pass
        if isinstance(value, Decimal):
            return value
        msg = "Enter an amount such as 4.95."
        raise ValueError(msg)

    @model_validator(mode="after")
    def _priced(self) -> MethodInput:
        if self.rate_basis == "flat":
            if self.flat_price is None:
                raise InvalidInputError(
                    "Please correct the method.", {"flat_price": "Enter the price."}
                )
            object.__setattr__(self, "bands", [])
        else:
            if not self.bands:
                raise InvalidInputError(
                    "Please correct the method.",
                    {"bands": "Add at least one band, e.g. 2: 5.90; more: 12.50."},
                )
            limits = [band.up_to for band in self.bands]
            if len(set(limits)) != len(limits):
                raise InvalidInputError(
                    "Please correct the method.", {"bands": "Each band needs its own limit."}
                )
            object.__setattr__(self, "flat_price", None)
        return self


def parse_bands(text: str) -> list[dict[str, str | None]]:
    """ "2: 5.90; 10: 12.50; more: 20" → bands (up to 2 → 5.90, up to 10 → 12.50, above
    → 20). Raises InvalidInputError naming the piece it cannot read."""
    bands: list[dict[str, str | None]] = []
    for piece in re.split(r"[;\n]+", text):
        if not piece.strip():
            continue
        limit, separator, price = piece.partition(":")
        limit = limit.strip().lower()
        try:
            if not separator:
                raise InvalidOperation
            Decimal(price.strip())
            up_to = None if limit in ("more", "above", "*") else str(Decimal(limit))
        except InvalidOperation:
            raise InvalidInputError(
                "Please correct the method.",
                {"bands": f"Cannot read {piece.strip()!r}: write LIMIT: PRICE, e.g. 2: 5.90."},
            ) from None
        bands.append({"up_to": up_to, "price": price.strip()})
    return bands
