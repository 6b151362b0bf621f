"""Validated input for catalog writes: the edge check with clear messages per field.

The database repeats the essential rules (CHECK, UNIQUE, FOREIGN KEY) as the last line.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from backend.core.validation import (
    MAX_URL_LENGTH,
    NO_NUL,
    NulFreeStr,
    decimal_input_schema,
    https_url_problem,
    text_input_schema,
)
from backend.media.storage import key_from_url
from backend.settings import get_settings

SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PRODUCT_SLUG_MAX = 160  # products.slug
CATEGORY_SLUG_MAX = 120  # categories.slug
CURRENCY = re.compile(r"^[A-Z]{3}$")
ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ATTRIBUTES = 20
MAX_PRICE = Decimal("99999999.99")  # NUMERIC(10, 2)
# A price as people write it: ASCII digits, an optional sign and decimal point (Python's
# Decimal also reads other scripts' digits, "١٢" as 12, and exponents).
PRICE_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), NO_NUL
]
BrandName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NO_NUL
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), NO_NUL]


def _image_url(value: str) -> str:
    """Images are rendered on every page that shows the product: an https:// address or
    one of the shop's own uploaded pictures (/media/<key>), never javascript: or data:."""
    url = value.strip()
    if key_from_url(url) is not None:
        return url
    problem = https_url_problem(url)
    if problem:
        msg = f"{problem} Images are https:// addresses or uploaded pictures (/media/…)."
        raise ValueError(msg)
    return url


ImageUrl = Annotated[
    NulFreeStr, AfterValidator(_image_url), text_input_schema(MAX_URL_LENGTH, format="uri")
]


# How API clients see these fields (the validators below keep the rules and messages).
SkuText = Annotated[str, text_input_schema(50, pattern=SKU.pattern)]
ProductSlugText = Annotated[str, text_input_schema(PRODUCT_SLUG_MAX, pattern=SLUG.pattern)]
CurrencyText = Annotated[str, text_input_schema(3, pattern=CURRENCY.pattern)]
PriceAmount = Annotated[Decimal, decimal_input_schema(Decimal(0), MAX_PRICE)]
ATTRIBUTE_VALUE_MAX = 100
AttributeValue = Annotated[NulFreeStr, text_input_schema(ATTRIBUTE_VALUE_MAX)]


def _slug(value: str) -> str:
    value = value.strip().lower()
    if not SLUG.match(value) or len(value) > PRODUCT_SLUG_MAX:
        msg = "Use lowercase letters, digits and single dashes, e.g. enamel-mug."
        raise ValueError(msg)
    return value


def _price_text(value: object) -> object:
    """Prices arrive as text from forms and files (and as text or numbers in API bodies):
    a clear message for what is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        msg = "Enter a price, such as 12.50."
        raise ValueError(msg)
    if isinstance(value, bool) or (
        isinstance(value, str) and not PRICE_TEXT.fullmatch(value.strip())
    ):
        msg = "Enter a price as a number, such as 12.50."
        raise ValueError(msg)
    if isinstance(value, str):
        return Decimal(value.strip())
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _price(value: Decimal) -> Decimal:
    if value < 0:
        msg = "The price cannot be negative."
        raise ValueError(msg)
    if value > MAX_PRICE:
        msg = f"The price can be at most {MAX_PRICE}."
        raise ValueError(msg)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]  # exponent is a str only for NaN/Infinity, refused above
        msg = "Use at most two decimals (cents)."
        raise ValueError(msg)
    return value


def _attributes(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_ATTRIBUTES:
        msg = f"At most {MAX_ATTRIBUTES} attributes."
        raise ValueError(msg)
    cleaned: dict[str, str] = {}
    for name, text in value.items():
        key = str(name).strip().lower().replace(" ", "_")
        if not ATTRIBUTE_NAME.match(key):
            msg = f"“{name}” is not a usable attribute name (letters, digits, underscores)."
            raise ValueError(msg)
        shown = str(text).strip()
        if not shown or len(shown) > ATTRIBUTE_VALUE_MAX:
            msg = f"The value of “{key}” must be 1 to {ATTRIBUTE_VALUE_MAX} characters."
            raise ValueError(msg)
        cleaned[key] = shown
    return cleaned


CategoryName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NO_NUL
]
CategoryDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2_000), NO_NUL
]


class CategoryCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: CategoryName
    slug: str | None = None  # derived from the name when not given
    description: CategoryDescription | None = None
    parent_id: uuid.UUID | None = None
    position: int = Field(default=0, ge=0, le=100_000)

    @field_validator("slug")
    @classmethod
    def _slug_rules(cls, value: str | None) -> str | None:
        if not value:
            return None
        slug = _slug(value)
        if len(slug) > CATEGORY_SLUG_MAX:  # the column's width (product slugs: 160)
            msg = f"At most {CATEGORY_SLUG_MAX} characters."
            raise ValueError(msg)
        return slug


class CategoryUpdate(BaseModel):
    """A partial change of a category: only the fields given change. `parent_id` None
    with the field given makes it a top-level category."""

    model_config = ConfigDict(frozen=True)

    name: CategoryName | None = None
    slug: str | None = None
    description: CategoryDescription | None = None
    parent_id: uuid.UUID | None = None

    _slug_rules = field_validator("slug")(CategoryCreate._slug_rules.__func__)  # type: ignore[attr-defined]  # reuses the parent's classmethod validator function

    @field_validator("name")
    @classmethod
    def _name_stays_filled(cls, value: str | None) -> str:
        if value is None:  # only when given: a category always has a name
            msg = "This field cannot be empty."
            raise ValueError(msg)
        return value


class BrandCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: BrandName


TaxClassCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,19}$")]


class ProductCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: Name
    description: Description | None = None
    sku: SkuText
    slug: ProductSlugText | None = None  # derived from the name and SKU when not given
    price: PriceAmount
    currency: CurrencyText = Field(default_factory=lambda: get_settings().shop_currency)
    category_id: uuid.UUID
    brand: BrandName | None = None
    # Its goods' tax class (backend/tax): "standard", "reduced", "zero".
    tax_class: TaxClassCode = "standard"
    stock_quantity: int = Field(default=0, ge=0, le=10_000_000)
    low_stock_threshold: int = Field(default=5, ge=0, le=100_000)
    image_urls: list[ImageUrl] = Field(default_factory=list, max_length=12)
    attributes: dict[NulFreeStr, AttributeValue] = Field(default_factory=dict)
    is_active: bool = True

    @field_validator("sku")
    @classmethod
    def _sku_rules(cls, value: str) -> str:
        value = value.strip()
        if not SKU.match(value):
            msg = "Use 1 to 50 letters, digits, dots, dashes or underscores."
            raise ValueError(msg)
        return value

    @field_validator("slug")
    @classmethod
    def _slug_rules(cls, value: str | None) -> str | None:
        return _slug(value) if value else None

    @field_validator("price", mode="before")
    @classmethod
    def _price_is_a_number(cls, value: object) -> object:
        return _price_text(value)

    @field_validator("price")
    @classmethod
    def _price_rules(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            msg = "Enter a price as a number, such as 12.50."
            raise ValueError(msg)
        return _price(value)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_rules(cls, value: object) -> str:
        code = str(value or "").strip().upper()
        if not CURRENCY.match(code):
            msg = "Use a three-letter currency code such as USD or EUR."
            raise ValueError(msg)
        return code

    @field_validator("attributes")
    @classmethod
    def _attribute_rules(cls, value: dict[str, str]) -> dict[str, str]:
        return _attributes(value)


# What a product cannot be without: a change may leave these out, never set them empty.
REQUIRED_PRODUCT_FIELDS = (
    "name",
    "sku",
    "price",
    "currency",
    "category_id",
    "stock_quantity",
    "low_stock_threshold",
    "attributes",
    "is_active",
)


class ProductUpdate(BaseModel):
    """A partial change: only the fields given are changed (PATCH). `description`,
    `brand`, `slug` and `image_urls` may be cleared with null; the others may not."""

    model_config = ConfigDict(frozen=True)

    @field_validator(*REQUIRED_PRODUCT_FIELDS)
    @classmethod
    def _required_fields_stay_filled(cls, value: object) -> object:
        # Runs only for fields the change gives (not for the None defaults).
        if value is None:
            msg = "This field cannot be empty."
            raise ValueError(msg)
        return value

    name: Name | None = None
    description: Description | None = None
    sku: SkuText | None = None
    slug: ProductSlugText | None = None
    price: PriceAmount | None = None
    currency: CurrencyText | None = None
    category_id: uuid.UUID | None = None
    brand: BrandName | None = None
    tax_class: TaxClassCode | None = None
    stock_quantity: int | None = Field(default=None, ge=0, le=10_000_000)
    low_stock_threshold: int | None = Field(default=None, ge=0, le=100_000)
    image_urls: list[ImageUrl] | None = Field(default=None, max_length=12)
    attributes: dict[NulFreeStr, AttributeValue] | None = None
    is_active: bool | None = None

    _sku_rules = field_validator("sku")(ProductCreate._sku_rules.__func__)  # type: ignore[attr-defined]  # reuses the parent's classmethod validator function
    _slug_rules = field_validator("slug")(ProductCreate._slug_rules.__func__)  # type: ignore[attr-defined]  # reuses the parent's classmethod validator function

    @field_validator("price", mode="before")
    @classmethod
    def _price_is_a_number(cls, value: object) -> object:
        return _price_text(value)  # only for a given price: null is refused too

    @field_validator("price")
    @classmethod
    def _price_rules(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else ProductCreate._price_rules(value)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_rules(cls, value: object) -> str | None:
        return None if value is None else ProductCreate._currency_rules(value)

    @field_validator("attributes")
    @classmethod
    def _attribute_rules(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _attributes(value)

    @field_validator("tax_class", mode="before")
    @classmethod
    def _tax_class_not_cleared(cls, value: object) -> object:
        if value is None:
            msg = "Choose a tax class (standard, reduced, zero)."
            raise ValueError(msg)
        return value
