"""What a return is worth: the rule for the refund amount staff are offered.

The shopper gets back what they paid for the returned goods:

    goods    = Σ unit price × quantity returned
    discount = the order's discount × goods / the order's subtotal  (its fair share)
    tax      = the order's tax × (goods − discount) / (subtotal − discount + shipping)
               (none when the order's prices include tax: it is in the goods already)
    refund   = goods − discount + tax, rounded to the cent once

Shipping is not refunded (the parcel did travel). Staff may change the amount, but never
above what is left to refund on the order (paid − refunded so far), so the refunds of an
order never add up to more than was paid.

A line exchanged for another variant is not refunded: its goods (unit price × quantity,
before the order's discount) are the credit the exchange order takes off the new
variant's price, so a size swap at the same price costs nothing and a dearer one costs
the price difference. Credit the new goods do not use is refunded at the rate the
returned goods were paid: value × unused credit / credit.
"""

from __future__ import annotations

from decimal import Decimal

from backend.core.money import quantize

ZERO = Decimal("0.00")


def returned_goods_value(
    *,
    goods: Decimal,
    subtotal: Decimal,
    discount: Decimal,
    shipping: Decimal,
    tax: Decimal,
    prices_include_tax: bool = False,
) -> Decimal:
    """The paid value of `goods` (their list value at the order's prices) on an order with
    these totals, by the rule above."""
    if goods <= 0 or subtotal <= 0:
        return ZERO
    discount_share = discount * goods / subtotal
    after_discount = goods - discount_share
    taxed_base = subtotal - discount + shipping
    if prices_include_tax or taxed_base <= 0:
        tax_share = Decimal(0)
    else:
        tax_share = tax * after_discount / taxed_base
    return max(quantize(after_discount + tax_share), ZERO)


def default_refund(value: Decimal, refundable: Decimal) -> Decimal:
    """The amount offered: the goods' value, capped at what the order has left."""
    return max(min(value, refundable), ZERO)


def unused_credit_refund(*, value: Decimal, credit: Decimal, used: Decimal) -> Decimal:
    """What goes back for exchanged goods worth `value` (paid) whose `credit` the exchange
    order used `used` of: the unused part, at the rate the goods were paid."""
    if credit <= 0 or used >= credit:
        return ZERO
    return max(quantize(value * (credit - max(used, ZERO)) / credit), ZERO)
