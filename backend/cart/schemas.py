"""What a cart looks like to the pages and the API: lines priced from the catalog now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from backend.catalog.schemas import options_title
from backend.core.money import format_money


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: `user:<uuid>` or `guest:<token>` (the token from the cart cookie)."""

    key: str

    @property
    def is_guest(self) -> bool:
        return self.key.startswith("guest:")


@dataclass(frozen=True)
class CartLine:
    """One variant in the cart (a product without options has one)."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    slug: str
    name: str
    sku: str
    image_url: str | None
    unit_price: Decimal
    currency: str
    quantity: int
    stock_quantity: int
    # Why this line cannot be bought as it is ("No longer available", "Only 2 left").
    problem: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (option name, value), in option order
    # Under an automatic promotion: `unit_price` is the sale price, this what it was,
    # and the promotion's title ("20 % off Outerwear"); None without one.
    list_price: Decimal | None = None
    promotion_title: str | None = None

    @property
    def title(self) -> str:
        """ "M / Navy" ("" for a product without options)."""
        return options_title(self.options)

    @property
    def display_name(self) -> str:
        """ "Storm Fleece Jacket (M / Navy)"; the name alone without options."""
        return f"{self.name} ({self.title})" if self.options else self.name

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def purchasable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    currency: str

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines if line.purchasable), Decimal("0.00"))

    @property
    def subtotal_display(self) -> str:
        return format_money(self.subtotal, self.currency)

    @property
    def ready_for_checkout(self) -> bool:
        return bool(self.lines) and all(line.purchasable for line in self.lines)


@dataclass(frozen=True)
class CartChange:
    """The cart after a change, and what to tell the shopper about it."""

    cart: Cart
    message: str
