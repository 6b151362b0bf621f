"""The conditions of a rule-based collection, and the SQL that finds the products meeting
them. Rules are evaluated whenever a collection is read, so it follows every change to the
catalog (a new product, a price cut, a product aged out of "new") with no job to run.

A rule is `{"field", "operator", "value"}` (plus `"name"` for an attribute):

| field      | operators        | value                                      |
|------------|------------------|--------------------------------------------|
| brand      | is, is_not       | a brand's name                             |
| category   | within           | a category's id (its subcategories count)  |
| price      | below, at_least  | an amount, e.g. 50 (the lowest variant's)  |
| attribute  | equals           | a value; `name` is the attribute or option |
| created    | within_days      | a number of days, 1 to 3650                |
| on_sale    | is               | none (a variant has a compare-at price)    |
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import col, select

from backend.catalog.models import Product, ProductVariant
from backend.catalog.schemas import CategoryTree
from backend.core.validation import NO_NUL, choice_input_schema

Field = Literal["brand", "category", "price", "attribute", "created", "on_sale"]
Match = Literal["all", "any"]
MAX_RULES = 10
MAX_DAYS = 3650
MAX_PRICE = Decimal("99999999.99")
OPERATORS: dict[str, tuple[str, ...]] = {
    "brand": ("is", "is_not"),
    "category": ("within",),
    "price": ("below", "at_least"),
    "attribute": ("equals",),
    "created": ("within_days",),
    "on_sale": ("is",),
}
OPTION_SEPARATOR = "\x1f"  # as in products.option_values ("size\x1fM")

RuleText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), NO_NUL]


class CollectionRule(BaseModel):
    """One condition, checked as a whole: a message names what is wrong with it."""

    model_config = ConfigDict(frozen=True)

    field: Field
    operator: Annotated[
        str, choice_input_schema(op for ops in OPERATORS.values() for op in ops)
    ] = PydanticField(
        description="One of its field's operators: "
        + "; ".join(f"{name}: {', '.join(ops)}" for name, ops in OPERATORS.items())
    )
    value: RuleText = ""
    name: RuleText = ""  # the attribute's or option's name ("colour"), for "attribute"

    @model_validator(mode="after")
    def _fits_its_field(self) -> Self:
        operators = OPERATORS[self.field]
        if self.operator not in operators:
            msg = f"A {self.field} rule's operator is one of: {', '.join(operators)}."
            raise ValueError(msg)
        if self.field == "on_sale":
            return self._normalised(value="", name="")
        if not self.value:
            msg = f"Give the {self.field} rule a value."
            raise ValueError(msg)
        if self.field == "category":
            try:
                uuid.UUID(self.value)
            except ValueError:
                msg = "Choose the category by its id."
                raise ValueError(msg) from None
        if self.field == "price":
            amount = _amount(self.value)
            if amount is None:
                msg = "Give the price rule an amount of zero or more, such as 50 or 19.99."
                raise ValueError(msg)
            return self._normalised(value=str(amount))
        if self.field == "created" and not (
            self.value.isascii() and self.value.isdigit() and 1 <= int(self.value) <= MAX_DAYS
        ):
            msg = f"Give the number of days as a whole number from 1 to {MAX_DAYS}."
            raise ValueError(msg)
        if self.field == "attribute":
            if not self.name:
                msg = "Name the attribute or option, such as colour."
                raise ValueError(msg)
            return self._normalised(name=self.name.lower().replace(" ", "_"))
        return self

    def _normalised(self, **values: str) -> Self:
        # A frozen model's validator must return itself: its fields are set in place.
        for name, value in values.items():
            object.__setattr__(self, name, value)
        return self

    @property
    def relative_to_now(self) -> bool:
        return self.field == "created"

    def describe(self, tree: CategoryTree | None = None) -> str:
        """The rule as the admin reads it: "brand is Nordwerk", "price below 50.00"."""
        if self.field == "on_sale":
            return "on sale"
        if self.field == "category":
            node = tree.by_id(uuid.UUID(self.value)) if tree else None
            return f"category within {node.name if node else '(a deleted category)'}"
        if self.field == "attribute":
            return f"{self.name} equals {self.value}"
        if self.field == "created":
            return f"added in the last {self.value} days"
        return f"{self.field} {self.operator.replace('_', ' ')} {self.value}"


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
        return None
    return amount.quantize(Decimal("0.01"))


def _brand(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    same = col(Product.brand) == rule.value
    # A product without a brand is "not Nordwerk" too.
    return same if rule.operator == "is" else or_(col(Product.brand).is_(None), ~same)


def _category(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    node = tree.by_id(uuid.UUID(rule.value))
    if node is None:  # the category was deleted: the rule matches nothing
        return false()
    return col(Product.category_id).in_(tree.subtree_ids(node.id))


def _price(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    amount = Decimal(rule.value)
    price = col(Product.price)  # the lowest price among its variants on sale
    return price < amount if rule.operator == "below" else price >= amount


def _attribute(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    summary: Any = Product.option_values
    return or_(
        col(Product.attributes).contains({rule.name: rule.value}),
        summary.overlap([f"{rule.name}{OPTION_SEPARATOR}{rule.value}"]),
    )


def _created(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    return col(Product.created_at) >= now - timedelta(days=int(rule.value))


def _on_sale(rule: CollectionRule, tree: CategoryTree, now: datetime) -> ColumnElement[bool]:
    # A variant on sale has a compare-at price (the database keeps it above the price).
    return exists(
        select(ProductVariant.id).where(
            col(ProductVariant.product_id) == col(Product.id),
            col(ProductVariant.is_active) == true(),
            col(ProductVariant.compare_at_price).is_not(None),
        )
    )


_CLAUSES = {
    "brand": _brand,
    "category": _category,
    "price": _price,
    "attribute": _attribute,
    "created": _created,
    "on_sale": _on_sale,
}


def rules_clause(
    rules: Sequence[CollectionRule], match: Match, tree: CategoryTree, now: datetime
) -> ColumnElement[bool]:
    """The products meeting all (or any) of the rules; no rule matches no product."""
    if not rules:
        return false()
    clauses = [_CLAUSES[rule.field](rule, tree, now) for rule in rules]
    return and_(*clauses) if match == "all" else or_(*clauses)
