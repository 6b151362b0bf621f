"""Order-wide and shipping promotions as checkout applies them: pure Decimal arithmetic
(docs/adr/0013-order-promotions.md).

- "order": a percentage (rounded once to the cent, half away from zero) or an amount off
  the goods subtotal at sale prices, never more than it, once the subtotal reaches the
  promotion's minimum;
- "shipping": the same off the chosen shipping method's price (100 % is free shipping),
  once the minimum is reached, and only to its zone when it names one.

Of the qualifying promotions of a kind, one applies: the highest priority; among equals,
the one taking most off; among those, the first by id. An order gets at most one of each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from backend.core.money import quantize

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
OrderWide = Literal["order", "shipping"]


@dataclass(frozen=True)
class OrderOffer:
    id: uuid.UUID
    title: str
    applies_to: OrderWide
    kind: Literal["percent", "fixed"]
    value: Decimal
    priority: int
    min_subtotal: Decimal = ZERO
    zone_id: uuid.UUID | None = None
    combines_with_codes: bool = True
    limit_per_customer: int | None = None  # orders one customer may get it on

    def qualifies(self, goods_subtotal: Decimal, zone_id: uuid.UUID | None) -> bool:
        if goods_subtotal < self.min_subtotal:
            return False
        return self.zone_id is None or self.zone_id == zone_id

    def amount_off(self, base: Decimal) -> Decimal:
        """What it takes off `base` (the goods subtotal, or the shipping price)."""
        if self.kind == "percent":
            return min(quantize(base * self.value / HUNDRED), base)
        return min(quantize(self.value), base)


def best_order_offer(
    offers: Iterable[OrderOffer],
    applies_to: OrderWide,
    *,
    base: Decimal,
    goods_subtotal: Decimal,
    zone_id: uuid.UUID | None = None,
) -> OrderOffer | None:
    """The one promotion of `applies_to` that applies, or None."""
    candidates = [
        offer
        for offer in offers
        if offer.applies_to == applies_to and offer.qualifies(goods_subtotal, zone_id)
    ]
    return min(
        candidates,
        key=lambda offer: (-offer.priority, -offer.amount_off(base), str(offer.id)),
        default=None,
    )
