"""Validated input for a product's options and variants (docs/adr/0007-product-variants.md):
the editor's, the API's and the CSV import's, with a clear message per field."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from backend.catalog.inputs import ImageUrl, ProductCreate
from backend.catalog.models import MAX_OPTIONS, MAX_VARIANTS
from backend.core.validation import NO_NUL

MAX_OPTION_VALUES = 50
OPTION_NAME_MAX_LENGTH = 40
OPTION_VALUE_MAX_LENGTH = 60
OptionName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=OPTION_NAME_MAX_LENGTH),
    NO_NUL,
]
OptionValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=OPTION_VALUE_MAX_LENGTH),
    NO_NUL,
]
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), NO_NUL]


def _sku(value: str) -> str:
    return ProductCreate._sku_rules(value)


def _price(value: Decimal) -> Decimal:
    return ProductCreate._price_rules(value)


class OptionInput(BaseModel):
    """One option ("Size") and its values in the order shoppers see them."""

    model_config = ConfigDict(frozen=True)

    name: OptionName
    values: list[OptionValue] = Field(min_length=1, max_length=MAX_OPTION_VALUES)
    # value → one of the product's images shown as its swatch (colours).
    swatches: dict[OptionValue, ImageUrl] = Field(default_factory=dict)

    @field_validator("values")
    @classmethod
    def _values_unique(cls, values: list[str]) -> list[str]:
        seen: set[str] = set()
        for value in values:
            if value.lower() in seen:
                msg = f"“{value}” is listed twice."
                raise ValueError(msg)
            seen.add(value.lower())
        return values

    @model_validator(mode="after")
    def _swatches_of_values(self) -> Self:
        known = {value.lower() for value in self.values}
        unknown = [value for value in self.swatches if value.lower() not in known]
        if unknown:
            msg = f"A swatch names a value the option does not have: {unknown[0]}."
            raise ValueError(msg)
        return self


class VariantInput(BaseModel):
    """One variant: its SKU, price and one value per option (in option order). `id` names
    an existing variant to keep (its stock stays); without it a new one is made, with
    `stock_quantity` as its first count."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID | None = None
    sku: str
    price: Decimal
    compare_at_price: Decimal | None = None
    option_values: list[OptionValue] = Field(default_factory=list, max_length=MAX_OPTIONS)
    stock_quantity: int = Field(default=0, ge=0, le=10_000_000)
    low_stock_threshold: int = Field(default=5, ge=0, le=100_000)
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    barcode: Barcode | None = None
    image_urls: list[ImageUrl] = Field(default_factory=list, max_length=12)
    is_active: bool = True

    @field_validator("sku")
    @classmethod
    def _sku_rules(cls, value: str) -> str:
        return _sku(value)

    @field_validator("price")
    @classmethod
    def _price_rules(cls, value: Decimal) -> Decimal:
        return _price(value)

    @field_validator("compare_at_price")
    @classmethod
    def _compare_at_rules(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _price(value)

    @model_validator(mode="after")
    def _compare_at_above_price(self) -> Self:
        if self.compare_at_price is not None and self.compare_at_price <= self.price:
            msg = "The compare-at price (the “was” price) must be above the price."
            raise ValueError(msg)
        return self


class VariantsInput(BaseModel):
    """A product's whole set of options and variants (the editor saves it at once)."""

    model_config = ConfigDict(frozen=True)

    options: list[OptionInput] = Field(default_factory=list, max_length=MAX_OPTIONS)
    variants: list[VariantInput] = Field(min_length=1, max_length=MAX_VARIANTS)
    # The SKU of the variant shown first (and whose SKU the product shows); the first.
    default_sku: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [option.name.lower() for option in self.options]
        if len(set(names)) != len(names):
            msg = "Two options have the same name."
            raise ValueError(msg)
        skus = [variant.sku.lower() for variant in self.variants]
        if len(set(skus)) != len(skus):
            msg = "Two variants have the same SKU."
            raise ValueError(msg)
        combinations: set[tuple[str, ...]] = set()
        for variant in self.variants:
            if len(variant.option_values) != len(self.options):
                msg = (
                    f"Variant {variant.sku} needs one value for each option "
                    f"({', '.join(option.name for option in self.options) or 'none'})."
                )
                raise ValueError(msg)
            for option, value in zip(self.options, variant.option_values, strict=True):
                if value.lower() not in {known.lower() for known in option.values}:
                    msg = f"Variant {variant.sku}: {option.name} has no value “{value}”."
                    raise ValueError(msg)
            combination = tuple(value.lower() for value in variant.option_values)
            if combination in combinations:
                msg = f"Two variants are {' / '.join(variant.option_values) or 'the same'}."
                raise ValueError(msg)
            combinations.add(combination)
        if self.default_sku is not None and self.default_sku.lower() not in skus:
            msg = "The default variant must be one of the variants."
            raise ValueError(msg)
        return self


class VariantUpdate(BaseModel):
    """A change of one variant's own fields (the bulk table, PATCH); only those given."""

    model_config = ConfigDict(frozen=True)

    sku: str | None = None
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    barcode: Barcode | None = None
    image_urls: list[ImageUrl] | None = Field(default=None, max_length=12)
    is_active: bool | None = None
    low_stock_threshold: int | None = Field(default=None, ge=0, le=100_000)

    @field_validator("sku")
    @classmethod
    def _sku_rules(cls, value: str | None) -> str | None:
        return None if value is None else _sku(value)

    @field_validator("price")
    @classmethod
    def _price_rules(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _price(value)

    @field_validator("compare_at_price")
    @classmethod
    def _compare_at_rules(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _price(value)


def variant_matrix(options: list[OptionInput]) -> list[tuple[str, ...]]:
    """Every combination of the options' values, first option slowest ("S / Red",
    "S / Blue", "M / Red", …): what the editor's "generate variants" offers."""
    combinations: list[tuple[str, ...]] = [()]
    for option in options:
        combinations = [(*done, value) for done in combinations for value in option.values]
    return combinations
