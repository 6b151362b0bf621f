"""Validated input for promotion writes (the admin form, the API): one message per field;
the database repeats the essential rules (CHECK, FOREIGN KEY)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from backend.catalog.inputs import MAX_PRICE
from backend.core.validation import NO_NUL

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NO_NUL
]


class PromotionInput(BaseModel):
    """A whole promotion as the merchant saves it."""

    model_config = ConfigDict(frozen=True)

    title: Title = Field(description='Shown to shoppers: "20 % off Outerwear"')
    kind: Literal["percent", "fixed"]
    value: Decimal = Field(description="Percent off (20 = 20 %) or the amount off each item")
    target: Literal["all", "category", "collection"]
    category_id: uuid.UUID | None = None
    collection_id: uuid.UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = Field(default=0, ge=-1000, le=1000)
    is_active: bool = True
    applies_to: Literal["items", "order", "shipping"] = Field(
        default="items",
        description="items: each covered item's price; order: the goods subtotal "
        '("10 % off orders over $100"); shipping: the shipping price (100 % is free)',
    )
    min_subtotal: Decimal | None = Field(
        default=None,
        ge=0,
        le=MAX_PRICE,
        description="order and shipping: the goods subtotal (at sale prices) it starts at",
    )
    zone_id: uuid.UUID | None = Field(
        default=None, description="shipping: only to this shipping zone (none: everywhere)"
    )
    combines_with_codes: bool = Field(
        default=True,
        description="order and shipping: whether a discount code may be used with it",
    )
    limit_per_customer: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="order and shipping: how many orders one customer (account or e-mail) "
        "may get it on; none: no limit",
    )

    @field_validator("value")
    @classmethod
    def _value_form(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0 or value > MAX_PRICE:
            msg = "Give a number above zero, such as 20 or 5.00."
            raise ValueError(msg)
        if value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite: an int exponent
            msg = "Use at most two decimals."
            raise ValueError(msg)
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _with_time_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "Give the time with its time zone, e.g. 2026-11-27T00:00:00+01:00."
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "percent" and self.value > 100:
            msg = "A percentage off is at most 100."
            raise ValueError(msg)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            msg = "The end must come after the start."
            raise ValueError(msg)
        if self.applies_to != "items" and self.target != "all":
            msg = "An order or shipping promotion covers the whole order: choose everything."
            raise ValueError(msg)
        if self.applies_to == "items" and self.min_subtotal is not None:
            msg = "A minimum order is for order and shipping promotions."
            raise ValueError(msg)
        if self.limit_per_customer is not None and self.applies_to == "items":
            msg = "A limit per customer is for order and shipping promotions."
            raise ValueError(msg)
        if self.zone_id is not None and self.applies_to != "shipping":
            msg = "A shipping zone is for shipping promotions."
            raise ValueError(msg)
        if self.target == "category" and self.category_id is None:
            msg = "Choose the category the promotion covers."
            raise ValueError(msg)
        if self.target == "collection" and self.collection_id is None:
            msg = "Choose the collection the promotion covers."
            raise ValueError(msg)
        return self
