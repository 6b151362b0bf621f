"""What an order for these lines costs when shipped to this address: the shipping
methods its zone offers, the tax rates of the address by each product's tax class, and
the totals. Read in the caller's transaction, so an order is priced with the rates
configured at the moment it is placed (and keeps them: its tax lines are written with it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.checkout_facts import variant_facts
from backend.orders.inputs import CheckoutDetails
from backend.pricing.totals import (
    NO_TAX,
    DiscountRule,
    PricedLine,
    Totals,
    compute_totals,
    subtotal_of,
)
from backend.shipping import quotes
from backend.shipping.rules import Parcel, ShippingOption
from backend.tax import rates
from backend.tax.models import STANDARD_CLASS


@dataclass(frozen=True)
class ChargedLine:
    """A line to charge: a variant, or (no variant) a gift card sold, which is neither
    shipped, taxed nor discounted."""

    variant_id: uuid.UUID | None
    unit_price: Decimal
    quantity: int


# What an order of gift cards alone "ships" by: they are e-mailed.
NO_SHIPPING = ShippingOption("none", "No shipping: gift cards are e-mailed", "", Decimal(0))


@dataclass(frozen=True)
class Charges:
    totals: Totals
    method: ShippingOption
    options: list[ShippingOption]  # every method the address and these lines may use


async def parcel_and_lines(
    session: AsyncSession,
    lines: Sequence[ChargedLine],
    *,
    country: str,
    region: str | None,
    discount: DiscountRule | None,
) -> tuple[Parcel, list[PricedLine], rates.TaxTable]:
    """The lines priced with the address's tax rates, what they make as a parcel, and
    the address's rates."""
    facts = await variant_facts(session, [line.variant_id for line in lines if line.variant_id])
    table = await rates.tax_table(session, country, region)
    priced = []
    weights: list[tuple[int | None, int]] = []
    products: set[uuid.UUID] = set()
    categories: set[uuid.UUID] = set()
    for line in lines:
        if line.variant_id is None:  # a gift card: money, not goods
            priced.append(PricedLine(line.unit_price, line.quantity, NO_TAX, discountable=False))
            continue
        fact = facts.get(line.variant_id)
        tax_class = fact.tax_class if fact else STANDARD_CLASS
        priced.append(PricedLine(line.unit_price, line.quantity, table.for_class(tax_class)))
        if fact is not None:
            weights.append((fact.weight_grams, line.quantity))
            products.add(fact.product_id)
            categories |= fact.category_ids
    subtotal = subtotal_of(line for line in priced if line.discountable)
    value = subtotal - (discount.amount_off(subtotal) if discount else Decimal(0))
    parcel = Parcel.of(weights, value=value, product_ids=products, category_ids=categories)
    return parcel, priced, table


async def work_out_charges(
    session: AsyncSession,
    lines: Sequence[ChargedLine],
    details: CheckoutDetails,
    *,
    discount: DiscountRule | None,
) -> Charges:
    """Raises InvalidInputError when nothing ships to the address ("We don't ship to
    …") or the chosen method is not offered there for these lines."""
    parcel, priced, table = await parcel_and_lines(
        session, lines, country=details.country, region=details.region, discount=discount
    )
    prices_include_tax = await rates.prices_include_tax(session)
    if not ships_anything(lines):
        totals = compute_totals(
            priced, shipping=Decimal(0), discount=discount, prices_include_tax=prices_include_tax
        )
        return Charges(totals, NO_SHIPPING, [NO_SHIPPING])
    where = quotes.destination(details.country, details.region, details.postal_code)
    quote = await quotes.quote(session, where, parcel)
    method = quote.option(details.shipping_method)
    totals = compute_totals(
        priced,
        shipping=method.price,
        shipping_tax=table.standard if quote.zone.taxes_shipping else None,
        discount=discount,
        prices_include_tax=prices_include_tax,
    )
    return Charges(totals, method, quote.options)


def ships_anything(lines: Sequence[ChargedLine]) -> bool:
    """Whether any line is goods to ship (not only gift cards)."""
    return any(line.variant_id is not None for line in lines)
