"""Order totals from priced lines: pure Decimal arithmetic, rounded once per amount
(docs/adr/0009-tax-rounding.md).

subtotal = Σ unit price × quantity        (prices have cents already: exact)
discount = what multi-buys took off the lines they grouped (on those lines), then an
           order promotion's amount off what is left of the discountable lines'
           subtotal, then a code's: percent of what is left of that (not gift cards
           sold; rounded to the cent), or a fixed amount, never more than that; the
           last two shared out over the lines in proportion to what is left of their
           totals, to the cent (largest remainder), so each tax rate's base carries
           its part of it
tax      = per tax rate, once: rate × base (prices without tax), or the part of the base
           that is tax, base × rate ÷ (100 + rate) (prices including tax); shipping is
           taxed at its own rate when its zone taxes it
total    = subtotal − discount + shipping (+ tax, when prices do not include it)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from backend.core.money import quantize, share_out

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

DiscountKind = Literal["percent", "fixed"]


@dataclass(frozen=True)
class AppliedTax:
    """A tax rate as charged: its name ("VAT", "Sales tax") and percent (19 = 19 %)."""

    name: str
    percent: Decimal

    @property
    def label(self) -> str:
        """ "VAT 19%", "GST 5%", "Sales tax 8.875%"."""
        return f"{self.name} {self.percent.normalize():f}%"


NO_TAX = AppliedTax("Tax", Decimal(0))


@dataclass(frozen=True)
class PricedLine:
    unit_price: Decimal
    quantity: int
    tax: AppliedTax = NO_TAX
    # False for a gift card sold: discount codes take nothing off it (it is money).
    discountable: bool = True
    multibuy_off: Decimal = ZERO  # what a multi-buy took off this line

    @property
    def line_total(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)

    @property
    def after_multibuy(self) -> Decimal:
        return self.line_total - self.multibuy_off


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
class TaxLine:
    """One rate's tax on an order: what it was charged on, and how much."""

    tax: AppliedTax
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal  # all of it: the multi-buys', the order promotion's and the code's
    shipping: Decimal
    tax: Decimal
    total: Decimal
    prices_include_tax: bool = False
    tax_lines: tuple[TaxLine, ...] = field(default=())
    promotion_discount: Decimal = ZERO  # the order promotion's part of `discount`
    multibuy_discount: Decimal = ZERO  # the multi-buys' part

    @property
    def code_discount(self) -> Decimal:
        return self.discount - self.promotion_discount - self.multibuy_discount

    @property
    def after_discount(self) -> Decimal:
        return self.subtotal - self.discount


def subtotal_of(lines: Iterable[PricedLine]) -> Decimal:
    return sum((line.line_total for line in lines), ZERO)


def goods_after_multibuys(lines: Iterable[PricedLine]) -> Decimal:
    """The discountable goods less what multi-buys took off: what order promotions'
    minimums and discount codes see."""
    return sum((line.after_multibuy for line in lines if line.discountable), ZERO)


def _shared_in_any_order(amount: Decimal, lines: Sequence[PricedLine]) -> list[Decimal]:
    """`share_out` over the discountable lines, with ties settled by what the lines are,
    not where they stand: the same cart in any order costs the same to the cent."""
    canonical = sorted(
        range(len(lines)),
        key=lambda i: (
            -lines[i].line_total,
            -lines[i].tax.percent,
            lines[i].tax.name,
            lines[i].unit_price,
            -lines[i].multibuy_off,
            not lines[i].discountable,
        ),
    )
    weights = [lines[i].after_multibuy if lines[i].discountable else ZERO for i in canonical]
    shares = [ZERO] * len(lines)
    for i, share in zip(canonical, share_out(amount, weights), strict=True):
        shares[i] = share
    return shares


def tax_of(base: Decimal, tax: AppliedTax, *, prices_include_tax: bool) -> Decimal:
    if prices_include_tax:
        return quantize(base * tax.percent / (HUNDRED + tax.percent))
    return quantize(base * tax.percent / HUNDRED)


def compute_totals(
    lines: Iterable[PricedLine],
    *,
    shipping: Decimal,
    shipping_tax: AppliedTax | None = None,
    discount: DiscountRule | None = None,
    prices_include_tax: bool = False,
    promotion_discount: Decimal = ZERO,
) -> Totals:
    """`shipping_tax`: the rate shipping is taxed at (None: shipping is not taxed).
    `promotion_discount`: what an order promotion takes off the discountable goods after
    multi-buys (at most that); a code's discount is worked out on what is left."""
    lines = list(lines)
    subtotal = subtotal_of(lines)
    multibuy = sum((line.multibuy_off for line in lines), ZERO)
    base = goods_after_multibuys(lines)
    promotion_discount = min(quantize(promotion_discount), base)
    code_amount = discount.amount_off(base - promotion_discount) if discount is not None else ZERO
    shared = promotion_discount + code_amount
    discount_amount = multibuy + shared
    shipping = quantize(shipping)
    line_discounts = _shared_in_any_order(shared, lines)
    bases: dict[AppliedTax, Decimal] = {}
    for line, line_discount in zip(lines, line_discounts, strict=True):
        bases[line.tax] = bases.get(line.tax, ZERO) + line.after_multibuy - line_discount
    if shipping_tax is not None and shipping:
        bases[shipping_tax] = bases.get(shipping_tax, ZERO) + shipping
    tax_lines = tuple(
        TaxLine(rate, base, tax_of(base, rate, prices_include_tax=prices_include_tax))
        for rate, base in sorted(bases.items(), key=lambda item: (-item[0].percent, item[0].name))
        if rate.percent
    )
    tax = sum((line.amount for line in tax_lines), ZERO)
    charged = subtotal - discount_amount + shipping
    return Totals(
        subtotal=subtotal,
        discount=discount_amount,
        shipping=shipping,
        tax=tax,
        total=charged if prices_include_tax else charged + tax,
        prices_include_tax=prices_include_tax,
        tax_lines=tax_lines,
        promotion_discount=promotion_discount,
        multibuy_discount=multibuy,
    )


def tax_rows(
    tax_lines: Sequence[TaxLine], tax: Decimal, *, prices_include_tax: bool
) -> list[tuple[str, Decimal]]:
    """How receipts list the tax: one row per rate ("VAT 19%", or "incl. VAT 19%" when
    the prices included it); one "Tax" row when no rate applied and tax is added."""
    prefix = "incl. " if prices_include_tax else ""
    rows = [(prefix + line.tax.label, line.amount) for line in tax_lines]
    if not rows and not prices_include_tax:
        rows = [("Tax", tax)]
    return rows
