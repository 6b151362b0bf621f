"""Order totals: the arithmetic holds for any cart, discount, shipping and tax rate."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.core.money import from_minor_units, to_minor_units
from backend.pricing.totals import DiscountRule, PricedLine, compute_totals

CENT = Decimal("0.01")
prices = st.decimals(min_value=0, max_value=5000, places=2)
lines = st.lists(
    st.builds(PricedLine, unit_price=prices, quantity=st.integers(1, 10)), min_size=1, max_size=8
)
rates = st.decimals(min_value=0, max_value=30, places=2)
discounts = st.one_of(
    st.none(),
    st.builds(
        DiscountRule,
        code=st.just("P"),
        kind=st.just("percent"),
        value=st.decimals(1, 100, places=2),
    ),
    st.builds(
        DiscountRule,
        code=st.just("F"),
        kind=st.just("fixed"),
        value=st.decimals("0.01", 10000, places=2),
    ),
)


@given(lines, prices, rates, discounts)
def test_total_is_subtotal_minus_discount_plus_shipping_plus_tax(
    cart: list[PricedLine], shipping: Decimal, rate: Decimal, discount: DiscountRule | None
) -> None:
    totals = compute_totals(cart, shipping=shipping, tax_rate_percent=rate, discount=discount)

    assert totals.total == totals.subtotal - totals.discount + totals.shipping + totals.tax
    assert totals.subtotal == sum(line.unit_price * line.quantity for line in cart)
    assert Decimal(0) <= totals.discount <= totals.subtotal
    assert totals.total >= 0
    for amount in (totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total):
        assert amount == amount.quantize(CENT)  # every amount is in whole cents


@given(lines, rates)
def test_tax_is_the_rate_of_what_is_charged_rounded_once(
    cart: list[PricedLine], rate: Decimal
) -> None:
    totals = compute_totals(cart, shipping=Decimal("4.95"), tax_rate_percent=rate)
    exact = (totals.subtotal + totals.shipping) * rate / 100

    assert abs(totals.tax - exact) <= Decimal("0.005")


def test_a_percentage_discount_is_rounded_half_up_to_the_cent() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("0.15"), 1)],
        shipping=Decimal(0),
        tax_rate_percent=Decimal(0),
        discount=DiscountRule("TEN", "percent", Decimal(10)),
    )
    assert totals.discount == Decimal("0.02")  # 0.015 → 0.02
    assert totals.total == Decimal("0.13")


def test_a_fixed_discount_never_exceeds_the_subtotal() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("5.00"), 1)],
        shipping=Decimal("4.95"),
        tax_rate_percent=Decimal(0),
        discount=DiscountRule("BIG", "fixed", Decimal(20)),
    )
    assert totals.discount == Decimal("5.00")
    assert totals.total == Decimal("4.95")


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_minor_units_round_trip(amount: Decimal) -> None:
    assert from_minor_units(to_minor_units(amount, "USD"), "USD") == amount
    assert to_minor_units(Decimal("12.34"), "USD") == 1234
    assert to_minor_units(Decimal(500), "JPY") == 500
