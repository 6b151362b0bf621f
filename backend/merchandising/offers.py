"""What a promotion does to a price, and which one applies: pure Decimal arithmetic, the
one rule both Python (product pages, carts, checkout) and SQL (listings sorted and
filtered by the sale price) follow (docs/adr/0011-automatic-promotions.md).

- percent: the price less `value` % of it, the discount rounded once to the cent (half
  away from zero): 20 % off 19.99 is 19.99 − 4.00 = 15.99;
- fixed: the price less `value`, never below zero.

Of the promotions covering an item, the highest priority applies; among equals, the one
leaving the lowest price; among those, the first by id (so the choice never depends on
the order they are read in).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal

from backend.core.money import format_money, quantize

OfferKind = Literal["percent", "fixed"]
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Offer:
    """A live promotion as pricing sees it."""

    id: uuid.UUID
    title: str
    kind: OfferKind
    value: Decimal
    priority: int

    def price_after(self, price: Decimal) -> Decimal:
        if self.kind == "percent":
            return price - quantize(price * self.value / HUNDRED)
        return max(price - self.value, ZERO)

    def sql_price_after(self, price: Any) -> ColumnElement[Decimal]:
        """`price_after` as SQL over a NUMERIC(10, 2) column (round() on numeric is half
        away from zero, as `quantize`)."""
        after: ColumnElement[Decimal]
        if self.kind == "percent":
            after = price - func.round(price * literal(self.value) / 100, 2)
        else:
            after = func.greatest(price - literal(self.value), literal(ZERO))
        return after

    def label(self, currency: str) -> str:
        """The badge: "−20%", "−$5.00"."""
        if self.kind == "percent":
            return f"−{self.value.normalize():f}%"
        return "−" + format_money(self.value, currency)


def _choice_key(offer: Offer, price: Decimal) -> tuple[int, Decimal, str]:
    return (-offer.priority, offer.price_after(price), str(offer.id))


def best_offer(price: Decimal, offers: Iterable[Offer]) -> Offer | None:
    """The promotion that applies to an item at `price` among those covering it."""
    return min(offers, key=lambda offer: _choice_key(offer, price), default=None)


@dataclass(frozen=True)
class Sale:
    """An item's price under the promotion that applies to it."""

    offer: Offer
    list_price: Decimal  # before the promotion
    price: Decimal  # after it

    @property
    def saving(self) -> Decimal:
        return self.list_price - self.price


def sale_of(price: Decimal, offers: Iterable[Offer]) -> Sale | None:
    """None when no promotion covers the item or the one applying takes nothing off."""
    offer = best_offer(price, offers)
    if offer is None:
        return None
    after = offer.price_after(price)
    return Sale(offer, price, after) if after < price else None
