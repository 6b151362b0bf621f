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
from backend.core.validation import NO_NUL, decimal_input_schema

MAX_CHOSEN_PRODUCTS = 500

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NO_NUL
]


class PromotionInput(BaseModel):
    """A whole promotion as the merchant saves it."""

    model_config = ConfigDict(frozen=True)

    title: Title = Field(description='Shown to shoppers: "20 % off Outerwear"')
    kind: Literal["percent", "fixed", "bundle"] = Field(
        description="percent or fixed (an amount off each item, or each multi-buy group); "
        "bundle: a multi-buy group's price"
    )
    value: Annotated[Decimal, decimal_input_schema(Decimal(0), MAX_PRICE, above_minimum=True)] = (
        Field(description="Percent off (20 = 20 %), the amount off, or a multi-buy group's price")
    )
    target: Literal["all", "category", "collection", "products"]
    category_id: uuid.UUID | None = None
    collection_id: uuid.UUID | None = None
    product_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_CHOSEN_PRODUCTS,
        description="target products: the products covered (each with all its variants)",
    )
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = Field(default=0, ge=-1000, le=1000)
    is_active: bool = True
    applies_to: Literal["items", "multibuy", "order", "shipping"] = Field(
        default="items",
        description="items: each covered item's price; multibuy: groups of covered items "
        '("buy 2, get the cheapest free", "3 for $50"); order: the goods subtotal '
        '("10 % off orders over $100"); shipping: the shipping price (100 % is free)',
    )
    buy_quantity: int | None = Field(
        default=None, ge=2, le=100, description="multibuy: the items in a group (buy 3 …)"
    )
    discounted_quantity: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="multibuy with percent: how many of each group's cheapest items it "
        "takes the percentage off (… get 1 free: 1 at 100 %)",
    )
    stacks: bool = Field(
        default=False,
        description="items and multibuy: adds up with the other promotions that do; "
        "one that does not applies alone",
    )
    min_subtotal: Annotated[Decimal, decimal_input_schema(Decimal(0), MAX_PRICE)] | None = Field(
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
        order_wide = self.applies_to in ("order", "shipping")
        if order_wide and self.target != "all":
            msg = "An order or shipping promotion covers the whole order: choose everything."
            raise ValueError(msg)
        if not order_wide and self.min_subtotal is not None:
            msg = "A minimum order is for order and shipping promotions."
            raise ValueError(msg)
        if self.limit_per_customer is not None and not order_wide:
            msg = "A limit per customer is for order and shipping promotions."
            raise ValueError(msg)
        if self.stacks and order_wide:
            msg = "One order and one shipping promotion apply: only item promotions add up."
            raise ValueError(msg)
        self._check_multibuy()
        if self.zone_id is not None and self.applies_to != "shipping":
            msg = "A shipping zone is for shipping promotions."
            raise ValueError(msg)
        if self.target == "category" and self.category_id is None:
            msg = "Choose the category the promotion covers."
            raise ValueError(msg)
        if self.target == "collection" and self.collection_id is None:
            msg = "Choose the collection the promotion covers."
            raise ValueError(msg)
        if self.target == "products" and not self.product_ids:
            msg = "Choose the products the promotion covers."
            raise ValueError(msg)
        return self

    def _check_multibuy(self) -> None:
        if self.applies_to != "multibuy":
            if self.kind == "bundle":
                msg = "A price for a group is for multi-buys."
                raise ValueError(msg)
            if self.buy_quantity is not None or self.discounted_quantity is not None:
                msg = "Quantities to buy are for multi-buys."
                raise ValueError(msg)
            return
        if self.buy_quantity is None:
            msg = "Say how many items make a group (2 or more)."
            raise ValueError(msg)
        if self.kind == "percent":
            if self.discounted_quantity is None:
                msg = "Say how many items of each group the percentage comes off."
                raise ValueError(msg)
            if self.discounted_quantity > self.buy_quantity:
                msg = "At most every item of a group can be discounted."
                raise ValueError(msg)
        elif self.discounted_quantity is not None:
            msg = "How many items are discounted is for a percentage off."
            raise ValueError(msg)
