"""The promotion rule over random prices and promotion sets: a sale price is never
negative, never above the price, in whole cents; the discount is rounded once; the
promotion that applies does not depend on the order promotions are read in, and a higher
priority always wins."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.merchandising.offers import Offer, best_offer, sale_of
from backend.merchandising.order_offers import OrderOffer, best_order_offer

CENT = Decimal("0.01")
prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999.99"), places=2)
offers = st.builds(
    Offer,
    id=st.uuids(),
    title=st.just("Sale"),
    kind=st.sampled_from(["percent", "fixed"]),
    value=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100.00"), places=2),
    priority=st.integers(min_value=-3, max_value=3),
)


@given(prices, st.lists(offers, max_size=6))
def test_a_sale_price_is_whole_cents_between_zero_and_the_price(
    price: Decimal, covering: list[Offer]
) -> None:
    sale = sale_of(price, covering)
    if sale is None:
        return
    assert Decimal(0) <= sale.price < price
    assert sale.price == sale.price.quantize(CENT)
    assert sale.list_price == price
    assert sale.saving == price - sale.price


@given(prices, st.lists(offers, min_size=1, max_size=6), st.randoms())
def test_the_choice_does_not_depend_on_the_order_promotions_are_read_in(
    price: Decimal, covering: list[Offer], shuffler: object
) -> None:
    reordered = list(covering)
    shuffler.shuffle(reordered)  # type: ignore[attr-defined]
    assert best_offer(price, covering) == best_offer(price, reordered)


@given(prices, st.lists(offers, min_size=1, max_size=6))
def test_the_highest_priority_always_wins(price: Decimal, covering: list[Offer]) -> None:
    chosen = best_offer(price, covering)
    assert chosen is not None
    assert chosen.priority == max(offer.priority for offer in covering)
    equals = [offer for offer in covering if offer.priority == chosen.priority]
    assert chosen.price_after(price) == min(offer.price_after(price) for offer in equals)


def test_the_discount_is_rounded_once_half_away_from_zero() -> None:
    twenty = Offer(uuid.uuid4(), "20 %", "percent", Decimal("20"), 0)
    assert twenty.price_after(Decimal("19.99")) == Decimal("15.99")  # 3.998 → 4.00 off
    assert twenty.price_after(Decimal("0.02")) == Decimal("0.02")  # 0.004 → 0.00 off
    third = Offer(uuid.uuid4(), "1/3", "percent", Decimal("33.33"), 0)
    assert third.price_after(Decimal("10.00")) == Decimal("6.67")  # 3.333 → 3.33 off
    five_off = Offer(uuid.uuid4(), "5 off", "fixed", Decimal("5"), 0)
    assert five_off.price_after(Decimal("3.00")) == Decimal("0.00")
    assert sale_of(Decimal("0.02"), [twenty]) is None  # nothing taken off: no sale
    assert twenty.label("USD") == "−20%"
    assert five_off.label("USD") == "−$5.00"


order_offers = st.lists(
    st.builds(
        OrderOffer,
        id=st.uuids(),
        title=st.just("Order"),
        applies_to=st.sampled_from(["order", "shipping"]),
        kind=st.sampled_from(["percent", "fixed"]),
        value=st.decimals("0.01", 100, places=2),
        priority=st.integers(-2, 2),
        min_subtotal=st.decimals(0, 300, places=2),
    ),
    max_size=6,
)


@given(order_offers, st.decimals(0, 1000, places=2), st.randoms())
def test_one_order_promotion_applies_whatever_their_order_and_never_takes_more_than_the_base(
    offers: list[OrderOffer], goods: Decimal, shuffle: random.Random
) -> None:
    chosen = best_order_offer(offers, "order", base=goods, goods_subtotal=goods)
    shuffle.shuffle(offers)
    again = best_order_offer(offers, "order", base=goods, goods_subtotal=goods)

    assert chosen == again
    if chosen is not None:
        assert chosen.min_subtotal <= goods
        assert Decimal(0) <= chosen.amount_off(goods) <= goods
        qualifying = [o for o in offers if o.applies_to == "order" and o.min_subtotal <= goods]
        assert chosen.priority == max(o.priority for o in qualifying)
    else:
        assert not [o for o in offers if o.applies_to == "order" and o.min_subtotal <= goods]
