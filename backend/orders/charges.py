"""What an order for these lines costs when shipped to this address: the shipping
methods its zone offers, the tax rates of the address by each product's tax class, and
the totals. Read in the caller's transaction, so an order is priced with the rates
configured at the moment it is placed (and keeps them: its tax lines are written with it).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.checkout_facts import variant_facts
from backend.merchandising.order_offers import OrderOffer, best_order_offer
from backend.orders.inputs import CheckoutDetails
from backend.pricing.errors import DiscountRefusedError
from backend.pricing.totals import (
    NO_TAX,
    DiscountRule,
    PricedLine,
    Totals,
    compute_totals,
    goods_after_multibuys,
)
from backend.shipping import quotes
from backend.shipping.rules import Parcel, ShippingOption
from backend.tax import rates
from backend.tax.models import STANDARD_CLASS


@dataclass(frozen=True)
class ChargedLine:
    """A line to charge: a variant; a custom line staff added to an order they took
    (`custom`: goods at the standard tax rate, shipped, weightless); or (no variant, not
    custom) a gift card sold, which is neither shipped, taxed nor discounted."""

    variant_id: uuid.UUID | None
    unit_price: Decimal
    quantity: int
    multibuy_off: Decimal = Decimal("0.00")  # what a multi-buy took off the line
    custom: bool = False


# What an order of gift cards alone "ships" by: they are e-mailed.
NO_SHIPPING = ShippingOption("none", "No shipping: gift cards are e-mailed", "", Decimal(0))


@dataclass(frozen=True)
class Charges:
    totals: Totals
    method: ShippingOption  # at its price after a shipping promotion
    options: list[ShippingOption]  # every method the address and these lines may use
    order_offer: OrderOffer | None = None  # the order promotion applied
    shipping_offer: OrderOffer | None = None  # the shipping promotion applied
    shipping_saved: Decimal = Decimal("0.00")  # what the shipping promotion took off


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
    table = await rates.tax_table(country, region, session)
    priced = []
    weights: list[tuple[int | None, int]] = []
    products: set[uuid.UUID] = set()
    categories: set[uuid.UUID] = set()
    for line in lines:
        if line.custom:
            priced.append(
                PricedLine(line.unit_price, line.quantity, table.for_class(STANDARD_CLASS))
            )
            continue
        if line.variant_id is None:  # a gift card: money, not goods
            priced.append(PricedLine(line.unit_price, line.quantity, NO_TAX, discountable=False))
            continue
        fact = facts.get(line.variant_id)
        tax_class = fact.tax_class if fact else STANDARD_CLASS
        priced.append(
            PricedLine(
                line.unit_price,
                line.quantity,
                table.for_class(tax_class),
                multibuy_off=line.multibuy_off,
            )
        )
        if fact is not None:
            weights.append((fact.weight_grams, line.quantity))
            products.add(fact.product_id)
            categories |= fact.category_ids
    subtotal = goods_after_multibuys(priced)
    value = subtotal - (discount.amount_off(subtotal) if discount else Decimal(0))
    parcel = Parcel.of(weights, value=value, product_ids=products, category_ids=categories)
    return parcel, priced, table


async def work_out_charges(
    session: AsyncSession,
    lines: Sequence[ChargedLine],
    details: CheckoutDetails,
    *,
    discount: DiscountRule | None,
    offers: Sequence[OrderOffer] = (),
    manual_discount: Decimal = Decimal(0),
    shipping_price: Decimal | None = None,
) -> Charges:
    """`offers`: the live order-wide and shipping promotions; the best of each kind that
    qualifies applies (`merchandising.order_offers`). Staff taking an order may take
    `manual_discount` off the goods (at most all of them) and set `shipping_price`
    instead of the method's rate. Raises InvalidInputError when
    nothing ships to the address ("We don't ship to …") or the chosen method is not
    offered there for these lines, DiscountRefusedError for a code given while a
    promotion that does not combine with codes applies."""
    parcel, priced, table = await parcel_and_lines(
        session, lines, country=details.country, region=details.region, discount=discount
    )
    prices_include_tax = await rates.prices_include_tax(session)
    goods = goods_after_multibuys(priced)
    order_offer = best_order_offer(offers, "order", base=goods, goods_subtotal=goods)
    promotion_discount = order_offer.amount_off(goods) if order_offer else Decimal(0)
    promotion_discount += manual_discount
    if not ships_anything(lines):
        _check_combines(discount, order_offer)
        totals = compute_totals(
            priced,
            shipping=Decimal(0),
            discount=discount,
            prices_include_tax=prices_include_tax,
            promotion_discount=promotion_discount,
        )
        return Charges(totals, NO_SHIPPING, [NO_SHIPPING], order_offer)
    where = quotes.destination(details.country, details.region, details.postal_code)
    quote = await quotes.quote(where, parcel, session)
    options = [
        after_shipping_offer(option, offers, goods, quote.zone.id) for option in quote.options
    ]
    chosen = quote.option(details.shipping_method)
    shipping_offer = _shipping_offer(chosen, offers, goods, quote.zone.id)
    method = _priced(chosen, shipping_offer)
    if shipping_price is not None:
        method = dataclasses.replace(method, price=shipping_price)
    _check_combines(discount, order_offer, shipping_offer)
    totals = compute_totals(
        priced,
        shipping=method.price,
        shipping_tax=table.standard if quote.zone.taxes_shipping else None,
        discount=discount,
        prices_include_tax=prices_include_tax,
        promotion_discount=promotion_discount,
    )
    saved = chosen.price - method.price
    return Charges(totals, method, options, order_offer, shipping_offer, saved)


def after_shipping_offer(
    option: ShippingOption, offers: Sequence[OrderOffer], goods: Decimal, zone_id: uuid.UUID
) -> ShippingOption:
    """The method at its price under the shipping promotion that applies to it."""
    return _priced(option, _shipping_offer(option, offers, goods, zone_id))


def _shipping_offer(
    option: ShippingOption, offers: Sequence[OrderOffer], goods: Decimal, zone_id: uuid.UUID
) -> OrderOffer | None:
    return best_order_offer(
        offers, "shipping", base=option.price, goods_subtotal=goods, zone_id=zone_id
    )


def _priced(option: ShippingOption, offer: OrderOffer | None) -> ShippingOption:
    if offer is None or not option.price:
        return option
    return dataclasses.replace(option, price=option.price - offer.amount_off(option.price))


def _check_combines(discount: DiscountRule | None, *applied: OrderOffer | None) -> None:
    for offer in applied:
        if discount is not None and offer is not None and not offer.combines_with_codes:
            raise DiscountRefusedError(
                f"Discount codes cannot be combined with “{offer.title}”, which this order "
                "gets already."
            )


def ships_anything(lines: Sequence[ChargedLine]) -> bool:
    """Whether any line is goods to ship (not only gift cards)."""
    return any(line.variant_id is not None or line.custom for line in lines)
