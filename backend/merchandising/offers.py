"""What a promotion does to a price, and which promotions apply: pure Decimal arithmetic,
the one rule both Python (product pages, carts, checkout) and SQL (listings sorted and
filtered by the sale price) follow (docs/adr/0011-automatic-promotions.md,
docs/adr/0014-multi-buys-and-stacking.md).

- percent: `value` % of the price off, rounded once to the cent (half away from zero):
  20 % off 19.99 is 19.99 − 4.00 = 15.99;
- fixed: `value` off, never below zero.

Which apply to an item: each promotion that does not add up ("stacks") is a candidate
alone; the promotions that do add up are one candidate together, each taking its part
off the price before any promotion (20 % and 10 % make 30 % off), never below zero, with
the priority of the highest of them. The highest priority wins; among equals, the lowest
price; among those, a promotion alone before the ones adding up, then the first by id
(so the choice never depends on the order promotions are read in).
"""

from __future__ import annotations

import math
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
    stacks: bool = False  # adds up with the other promotions that do

    def amount_off(self, price: Decimal) -> Decimal:
        if self.kind == "percent":
            return quantize(price * self.value / HUNDRED)
        return min(self.value, price)

    def price_after(self, price: Decimal) -> Decimal:
        return price - self.amount_off(price)

    def sql_amount_off(self, price: Any) -> ColumnElement[Decimal]:
        """`amount_off` as SQL over a NUMERIC(10, 2) column (round() on numeric is half
        away from zero, as `quantize`)."""
        off: ColumnElement[Decimal]
        if self.kind == "percent":
            off = func.round(price * literal(self.value) / 100, 2)
        else:
            off = func.least(literal(self.value), price)
        return off

    def label(self, currency: str) -> str:
        """The badge: "−20%", "−$5.00"."""
        if self.kind == "percent":
            return f"−{self.value.normalize():f}%"
        return "−" + format_money(self.value, currency)


@dataclass(frozen=True)
class Sale:
    """An item's price under the promotions that apply to it: one alone, or those that
    add up, highest priority first."""

    offers: tuple[Offer, ...]
    list_price: Decimal  # before the promotions
    price: Decimal  # after them

    @property
    def offer(self) -> Offer:
        """The promotion that decided (the highest priority of those applied)."""
        return self.offers[0]

    @property
    def title(self) -> str:
        """ "20 % off Outerwear", or "Summer sale + Extra 10 % off coats"."""
        return " + ".join(offer.title for offer in self.offers)

    @property
    def saving(self) -> Decimal:
        return self.list_price - self.price

    def savings(self) -> list[tuple[Offer, Decimal]]:
        """What each promotion took off one item (adding up to `saving`)."""
        left, parts = self.list_price, []
        for offer in self.offers:
            part = min(offer.amount_off(self.list_price), left)
            parts.append((offer, part))
            left -= part
        return parts

    def label(self, currency: str) -> str:
        """The badge: the promotion's own ("−20%", "−$5.00"), or the whole percentage
        off, rounded down, when several add up ("−28%")."""
        if len(self.offers) == 1:
            return self.offer.label(currency)
        return f"−{math.floor(self.saving * HUNDRED / self.list_price)}%"


def _stacking(offers: Iterable[Offer]) -> tuple[Offer, ...]:
    return tuple(sorted((o for o in offers if o.stacks), key=lambda o: (-o.priority, str(o.id))))


def stacked_price(price: Decimal, stacking: Iterable[Offer]) -> Decimal:
    """The price under promotions that add up: each takes its part of `price` off."""
    return max(price - sum((offer.amount_off(price) for offer in stacking), ZERO), ZERO)


def sale_of(price: Decimal, offers: Iterable[Offer]) -> Sale | None:
    """The sale an item at `price` is under, by the rule above; None when no promotion
    covers it or the one applying takes nothing off."""
    offers = list(offers)
    candidates: list[tuple[tuple[int, Decimal, int, str], Sale]] = [
        ((-o.priority, o.price_after(price), 0, str(o.id)), Sale((o,), price, o.price_after(price)))
        for o in offers
        if not o.stacks
    ]
    if stacking := _stacking(offers):
        after = stacked_price(price, stacking)
        key = (-stacking[0].priority, after, 1, str(stacking[0].id))
        candidates.append((key, Sale(stacking, price, after)))
    if not candidates:
        return None
    _, chosen = min(candidates, key=lambda candidate: candidate[0])
    return chosen if chosen.price < price else None
