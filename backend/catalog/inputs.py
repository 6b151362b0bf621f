"""Validated input for catalog writes: the edge check with clear messages per field.

The database repeats the essential rules (CHECK, UNIQUE, FOREIGN KEY) as the last line.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Sku = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
CurrencyCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{3}$")
]
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"
    ),
]


class CategoryCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    slug: Slug
    description: str | None = None
    parent_id: uuid.UUID | None = None
    position: int = Field(default=0, ge=0)


class ProductCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    description: str | None = None
    sku: Sku
    price: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
    currency: CurrencyCode = "USD"
    category_id: uuid.UUID
    brand: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    stock_quantity: int = Field(default=0, ge=0)
    image_urls: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True
