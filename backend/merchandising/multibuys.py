"""Multi-buy promotions ("buy 2, get the cheapest free", "3 for $50", "buy 3, save $10")
as a cart or an order gets them: pure Decimal arithmetic over the lines' units
(docs/adr/0014-multi-buys-and-stacking.md).

- The units a multi-buy covers are pooled across lines (any 3 of the covered products
  make a group) and sorted by price, the dearest first; they form groups of
  `buy_quantity` in that order; units left over get nothing.
- In each group: "percent" takes `value` % off each of its `discounted_quantity`
  cheapest units (100 % is free, rounded once per unit); "fixed" takes `value` off the
  group, "bundle" makes the group cost `value` (never more than the units did); those
  two share the amount over the group's units in proportion to their prices, in cents.
- Each line counts towards one multi-buy at most: the highest priority first, then by
  id; a line it groups (even in part) is taken. A multi-buy that does not add up
  ("stacks") leaves out lines already on sale; one that does may take lines whose sale
  adds up as well.

Prices are the units' sale prices; the result depends on the lines, never on their
order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from backend.core.money import format_money, quantize, share_out

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MultiBuyKind = Literal["percent", "fixed", "bundle"]


@dataclass(frozen=True)
class MultiBuy:
    id: uuid.UUID
    title: str
    kind: MultiBuyKind
    value: Decimal  # percent off, amount off a group, or a group's price
    buy_quantity: int  # units in a group
    discounted_quantity: int  # "percent": the cheapest units of a group it takes off
    priority: int = 0
    stacks: bool = False

    def describe(self, currency: str) -> str:
        """What the offer is, for shoppers: "Buy 2, get 1 free", "3 for $50.00"."""
        n, m = self.buy_quantity, self.discounted_quantity
        if self.kind == "bundle":
            return f"{n} for {format_money(self.value, currency)}"
        if self.kind == "fixed":
            return f"Buy {n}, save {format_money(self.value, currency)}"
        off = "free" if self.value == HUNDRED else f"{self.value.normalize():f} % off"
        return f"Buy {n}, get {m} {off}"

    def group_discounts(self, prices: Sequence[Decimal]) -> list[Decimal]:
        """What it takes off each unit of one group (`prices` the dearest first)."""
        total = sum(prices, ZERO)
        if self.kind == "percent":
            cheapest = len(prices) - self.discounted_quantity
            return [
                quantize(price * self.value / HUNDRED) if i >= cheapest else ZERO
                for i, price in enumerate(prices)
            ]
        if self.kind == "fixed":
            amount = min(quantize(self.value), total)
        else:
            amount = max(total - quantize(self.value), ZERO)
        return share_out(amount, list(prices))


@dataclass(frozen=True)
class MultiBuyLine:
    """A line as multi-buys see it."""

    key: str  # what the line is (its variant), to order ties without its position
    unit_price: Decimal  # the sale price
    quantity: int
    offers: tuple[MultiBuy, ...]  # the multi-buys covering its product
    on_sale: bool = False  # under an item promotion
    sale_stacks: bool = False  # and that sale is of promotions that add up


@dataclass(frozen=True)
class LineMultiBuy:
    """What a multi-buy took off a line (all its units together)."""

    offer: MultiBuy
    amount: Decimal


def _may_take(offer: MultiBuy, line: MultiBuyLine) -> bool:
    return offer in line.offers and (not line.on_sale or (offer.stacks and line.sale_stacks))


def apply_multibuys(lines: Sequence[MultiBuyLine]) -> list[LineMultiBuy | None]:
    """For each line, the multi-buy it counts towards and what that takes off it (None:
    none, or nothing off)."""
    offers = sorted(
        {offer for line in lines for offer in line.offers},
        key=lambda offer: (-offer.priority, str(offer.id)),
    )
    taken: dict[int, LineMultiBuy | None] = {}
    for offer in offers:
        eligible = [i for i, line in enumerate(lines) if i not in taken and _may_take(offer, line)]
        units = sorted(
            (
                (lines[i].unit_price, lines[i].key, i)
                for i in eligible
                for _ in range(lines[i].quantity)
            ),
            key=lambda unit: (-unit[0], unit[1]),
        )
        groups = len(units) // offer.buy_quantity
        off: dict[int, Decimal] = {}
        for g in range(groups):
            group = units[g * offer.buy_quantity : (g + 1) * offer.buy_quantity]
            for (_, _, i), amount in zip(
                group, offer.group_discounts([price for price, _, _ in group]), strict=True
            ):
                off[i] = off.get(i, ZERO) + amount
        for i, amount in off.items():
            taken[i] = LineMultiBuy(offer, amount) if amount > 0 else None
    return [taken.get(i) for i in range(len(lines))]
