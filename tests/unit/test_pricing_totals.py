"""Order totals: the arithmetic holds for any cart, discount, shipping and tax rates, with
prices with or without tax (docs/adr/0009-tax-rounding.md)."""

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.core.money import from_minor_units, to_minor_units
from backend.pricing.totals import (
    NO_TAX,
    AppliedTax,
    DiscountRule,
    PricedLine,
    compute_totals,
    share_out,
    subtotal_of,
    tax_rows,
)

CENT = Decimal("0.01")
VAT = AppliedTax("VAT", Decimal(19))
REDUCED = AppliedTax("VAT", Decimal(7))
prices = st.decimals(min_value=0, max_value=5000, places=2)
taxes = st.one_of(
    st.just(NO_TAX),
    st.builds(AppliedTax, name=st.just("VAT"), percent=st.decimals(0, 30, places=3)),
)


@st.composite
def priced_line(draw: st.DrawFn, tax: st.SearchStrategy[AppliedTax]) -> PricedLine:
    """A line, some of them under a multi-buy that took part of the line off."""
    unit_price, quantity = draw(prices), draw(st.integers(1, 10))
    total = unit_price * quantity
    off = draw(st.one_of(st.just(Decimal("0.00")), st.decimals(0, total, places=2)))
    return PricedLine(unit_price, quantity, draw(tax), multibuy_off=off)


lines = st.lists(priced_line(taxes), min_size=1, max_size=8)
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


def _whole_cents(*amounts: Decimal) -> bool:
    return all(amount == amount.quantize(CENT) for amount in amounts)


@given(lines, prices, st.one_of(st.none(), taxes), discounts, st.booleans())
def test_totals_add_up_never_negative_in_whole_cents(
    cart: list[PricedLine],
    shipping: Decimal,
    shipping_tax: AppliedTax | None,
    discount: DiscountRule | None,
    include: bool,
) -> None:
    totals = compute_totals(
        cart,
        shipping=shipping,
        shipping_tax=shipping_tax,
        discount=discount,
        prices_include_tax=include,
    )

    added = Decimal(0) if include else totals.tax
    assert totals.total == totals.subtotal - totals.discount + totals.shipping + added
    assert totals.subtotal == sum(line.unit_price * line.quantity for line in cart)
    assert Decimal(0) <= totals.discount <= totals.subtotal
    assert totals.multibuy_discount == sum(line.multibuy_off for line in cart)
    assert totals.code_discount >= 0  # the code's part comes on top of the multi-buys'
    assert totals.tax == sum(line.amount for line in totals.tax_lines)
    assert totals.total >= 0
    assert totals.tax >= 0
    assert all(line.base >= 0 and line.amount >= 0 for line in totals.tax_lines)
    assert _whole_cents(totals.subtotal, totals.discount, totals.shipping, totals.tax)
    assert _whole_cents(totals.total)


@given(lines, st.one_of(st.none(), taxes), discounts, st.booleans())
def test_each_rate_is_rounded_once_on_its_base(
    cart: list[PricedLine],
    shipping_tax: AppliedTax | None,
    discount: DiscountRule | None,
    include: bool,
) -> None:
    totals = compute_totals(
        cart,
        shipping=Decimal("4.95"),
        shipping_tax=shipping_tax,
        discount=discount,
        prices_include_tax=include,
    )
    for line in totals.tax_lines:
        rate = line.tax.percent
        exact = line.base * rate / ((100 + rate) if include else 100)
        assert abs(line.amount - exact) <= Decimal("0.005")
    assert len({line.tax for line in totals.tax_lines}) == len(totals.tax_lines)


rated = st.builds(AppliedTax, name=st.just("VAT"), percent=st.decimals("0.001", 30, places=3))
rated_lines = st.lists(priced_line(rated), min_size=1, max_size=8)


@given(rated_lines, prices, st.one_of(st.none(), rated), discounts, st.booleans())
def test_the_rates_bases_are_what_was_charged(
    cart: list[PricedLine],
    shipping: Decimal,
    shipping_tax: AppliedTax | None,
    discount: DiscountRule | None,
    include: bool,
) -> None:
    """The discount is shared over the rates to the cent: the bases add up to the goods
    after discount, plus shipping when it is taxed."""
    totals = compute_totals(
        cart,
        shipping=shipping,
        shipping_tax=shipping_tax,
        discount=discount,
        prices_include_tax=include,
    )
    taxed_shipping = totals.shipping if shipping_tax is not None else Decimal(0)
    assert sum(line.base for line in totals.tax_lines) == totals.after_discount + taxed_shipping


@given(st.decimals(0, 10**6, places=2), st.lists(prices, min_size=1, max_size=10))
def test_share_out_splits_to_the_cent_in_proportion(
    amount: Decimal, weights: list[Decimal]
) -> None:
    shares = share_out(amount, weights)
    assert sum(shares) == amount
    assert all(share >= 0 and share == share.quantize(CENT) for share in shares)
    whole = sum(weights)
    if whole:
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share - amount * weight / whole) < CENT


def test_mixed_classes_tax_each_rate_on_its_own_base() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("100.00"), 1, VAT), PricedLine(Decimal("50.00"), 1, REDUCED)],
        shipping=Decimal("10.00"),
        shipping_tax=VAT,
        discount=DiscountRule("TEN", "percent", Decimal(10)),
    )
    # 15.00 off, shared 10.00 / 5.00; shipping taxed at the standard rate.
    assert [(t.tax.label, t.base, t.amount) for t in totals.tax_lines] == [
        ("VAT 19%", Decimal("100.00"), Decimal("19.00")),
        ("VAT 7%", Decimal("45.00"), Decimal("3.15")),
    ]
    assert totals.total == Decimal("135.00") + Decimal("10.00") + Decimal("22.15")


def test_prices_including_tax_show_the_tax_inside_the_total() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("119.00"), 1, VAT)],
        shipping=Decimal("5.95"),
        shipping_tax=VAT,
        prices_include_tax=True,
    )
    assert totals.total == Decimal("124.95")
    assert totals.tax == Decimal("19.95")  # 124.95 × 19 / 119 = 19.95
    assert tax_rows(totals.tax_lines, totals.tax, prices_include_tax=True) == [
        ("incl. VAT 19%", Decimal("19.95"))
    ]


def test_untaxed_orders_still_show_a_tax_row_when_tax_is_added() -> None:
    totals = compute_totals([PricedLine(Decimal("10.00"), 2)], shipping=Decimal("4.95"))
    assert totals.tax_lines == ()
    assert tax_rows(totals.tax_lines, totals.tax, prices_include_tax=False) == [
        ("Tax", Decimal("0.00"))
    ]


def test_a_percentage_discount_is_rounded_half_up_to_the_cent() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("0.15"), 1)],
        shipping=Decimal(0),
        discount=DiscountRule("TEN", "percent", Decimal(10)),
    )
    assert totals.discount == Decimal("0.02")  # 0.015 → 0.02
    assert totals.total == Decimal("0.13")


def test_a_fixed_discount_never_exceeds_the_subtotal() -> None:
    totals = compute_totals(
        [PricedLine(Decimal("5.00"), 1)],
        shipping=Decimal("4.95"),
        discount=DiscountRule("BIG", "fixed", Decimal(20)),
    )
    assert totals.discount == Decimal("5.00")
    assert totals.total == Decimal("4.95")


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_minor_units_round_trip(amount: Decimal) -> None:
    assert from_minor_units(to_minor_units(amount, "USD"), "USD") == amount
    assert to_minor_units(Decimal("12.34"), "USD") == 1234
    assert to_minor_units(Decimal(500), "JPY") == 500


gift_cards_sold = st.lists(
    st.builds(
        PricedLine,
        unit_price=st.decimals(5, 1000, places=2),
        quantity=st.just(1),
        discountable=st.just(False),
    ),
    max_size=3,
)


@given(lines, gift_cards_sold, discounts, st.booleans(), st.randoms())
def test_gift_cards_sold_are_charged_whole_and_the_order_of_lines_does_not_matter(
    goods: list[PricedLine],
    cards: list[PricedLine],
    discount: DiscountRule | None,
    prices_include_tax: bool,
    shuffle: random.Random,
) -> None:
    mixed = goods + cards
    totals = compute_totals(
        mixed, shipping=Decimal(0), discount=discount, prices_include_tax=prices_include_tax
    )
    shuffle.shuffle(mixed)
    again = compute_totals(
        mixed, shipping=Decimal(0), discount=discount, prices_include_tax=prices_include_tax
    )

    goods_subtotal = subtotal_of(goods)
    assert totals.discount <= goods_subtotal  # codes take nothing off a gift card
    assert totals.subtotal == goods_subtotal + subtotal_of(cards)
    assert totals.total - subtotal_of(cards) >= 0
    assert (again.total, again.discount, again.tax) == (totals.total, totals.discount, totals.tax)


def test_a_multi_buy_falls_on_its_lines_then_the_order_promotion_and_code_on_what_is_left() -> None:
    totals = compute_totals(
        [
            PricedLine(Decimal("20.00"), 2, VAT, multibuy_off=Decimal("20.00")),  # 2 for 1
            PricedLine(Decimal("10.00"), 1, REDUCED),
        ],
        shipping=Decimal(0),
        discount=DiscountRule("TEN", "percent", Decimal(10)),
        promotion_discount=Decimal("5.00"),
    )
    assert totals.subtotal == Decimal("50.00")
    assert (totals.multibuy_discount, totals.promotion_discount) == (Decimal(20), Decimal(5))
    assert totals.code_discount == Decimal("2.50")  # 10 % of 50 − 20 − 5
    assert totals.discount == Decimal("27.50")
    # The 7.50 shared by what is left of each line (20 and 10): 5.00 and 2.50.
    assert [(line.tax, line.base) for line in totals.tax_lines] == [
        (VAT, Decimal("15.00")),
        (REDUCED, Decimal("7.50")),
    ]
