"""What staff type into a draft order, checked with a message per field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from backend.accounts.inputs import normalize_email
from backend.core.validation import NO_NUL

MAX_QUANTITY = 999
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class CustomLineInput(BaseModel):
    """Something sold that is not in the catalog, at the price staff set."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=120), NO_NUL]
    unit_price: Money
    quantity: Quantity = 1


class TermsInput(BaseModel):
    """The discount staff give (with its reason), their shipping price, and a note."""

    # Defaults are checked too: a discount without any reason given is refused.
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, validate_default=True)

    manual_discount: Money = Decimal("0.00")
    discount_reason: Annotated[str, StringConstraints(max_length=80), NO_NUL] = ""
    shipping_price: Money | None = None  # None: the method's rate
    note: Annotated[str, StringConstraints(max_length=1000), NO_NUL] = ""

    @field_validator("manual_discount", mode="before")
    @classmethod
    def _blank_is_zero(cls, value: object) -> object:
        return "0" if isinstance(value, str) and not value.strip() else value

    @field_validator("shipping_price", mode="before")
    @classmethod
    def _blank_shipping(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("discount_reason")
    @classmethod
    def _reason_for_discount(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("manual_discount") and not value:
            msg = "Say why the customer gets this discount."
            raise ValueError(msg)
        return value


class CustomerEmail(BaseModel):
    email: str

    @field_validator("email")
    @classmethod
    def _email_form(cls, value: str) -> str:
        return normalize_email(value)
