"""Order totals from priced lines: pure Decimal arithmetic, rounded once per amount.

subtotal = Σ unit price × quantity        (prices have cents already: exact)
discount = percent of the subtotal (rounded to the cent), or a fixed amount,
           never more than the subtotal
tax      = rate × (subtotal − discount + shipping), rounded to the cent
total    = subtotal − discount + shipping + tax
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from backend.core.money import quantize

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

DiscountKind = Literal["percent", "fixed"]


@dataclass(frozen=True)
class PricedLine:
    unit_price: Decimal
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


@dataclass(frozen=True)
class DiscountRule:
    code: str
    kind: DiscountKind
    value: Decimal  # percent (10 = 10 %) or an amount

    def amount_off(self, subtotal: Decimal) -> Decimal:
        if self.kind == "percent":
            amount = quantize(subtotal * self.value / HUNDRED)
        else:
            amount = quantize(self.value)
        return min(amount, subtotal)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal

    @property
    def after_discount(self) -> Decimal:
        return self.subtotal - self.discount


def subtotal_of(lines: Iterable[PricedLine]) -> Decimal:
    return sum((line.line_total for line in lines), ZERO)


def compute_totals(
    lines: Iterable[PricedLine],
    *,
    shipping: Decimal,
    tax_rate_percent: Decimal,
    discount: DiscountRule | None = None,
) -> Totals:
    subtotal = subtotal_of(lines)
    discount_amount = discount.amount_off(subtotal) if discount is not None else ZERO
    shipping = quantize(shipping)
    tax = quantize((subtotal - discount_amount + shipping) * tax_rate_percent / HUNDRED)
    return Totals(
        subtotal=subtotal,
        discount=discount_amount,
        shipping=shipping,
        tax=tax,
        total=subtotal - discount_amount + shipping + tax,
    )
