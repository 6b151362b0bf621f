"""The promotion rule over random prices and promotion sets: a sale price is never
negative, never above the price, in whole cents; the discount is rounded once; what
applies does not depend on the order promotions are read in; a higher priority always
wins; promotions that add up apply together, the others alone."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.merchandising.offers import Offer, Sale, sale_of, stacked_price
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
    stacks=st.booleans(),
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
    price: Decimal, covering: list[Offer], shuffler: random.Random
) -> None:
    reordered = list(covering)
    shuffler.shuffle(reordered)
    assert sale_of(price, covering) == sale_of(price, reordered)


def _candidates(price: Decimal, covering: list[Offer]) -> list[tuple[int, Decimal]]:
    """(priority, price after) of each way the rule may go: each promotion that does not
    add up alone, and those that do together."""
    found = [(o.priority, o.price_after(price)) for o in covering if not o.stacks]
    stacking = [o for o in covering if o.stacks]
    if stacking:
        found.append((max(o.priority for o in stacking), stacked_price(price, stacking)))
    return found


@given(prices, st.lists(offers, min_size=1, max_size=6))
def test_the_highest_priority_always_wins_then_the_lowest_price(
    price: Decimal, covering: list[Offer]
) -> None:
    sale = sale_of(price, covering)
    candidates = _candidates(price, covering)
    top = max(priority for priority, _ in candidates)
    best = min(after for priority, after in candidates if priority == top)
    if sale is None:
        assert best == price  # the winner takes nothing off
        return
    assert sale.price == best
    assert max(o.priority for o in sale.offers) == top
    # Either one promotion that does not add up, or only ones that do.
    assert (len(sale.offers) == 1 and not sale.offer.stacks) or all(o.stacks for o in sale.offers)
    assert sum((part for _, part in sale.savings()), Decimal(0)) == sale.saving


def test_promotions_that_add_up_each_take_their_part_of_the_price() -> None:
    summer = Offer(uuid.uuid4(), "Summer sale", "percent", Decimal("20"), 0, stacks=True)
    coats = Offer(uuid.uuid4(), "Extra 10 % off coats", "percent", Decimal("10"), 0, stacks=True)
    alone = Offer(uuid.uuid4(), "15 % off", "percent", Decimal("15"), 0)
    sale = sale_of(Decimal("100.00"), [summer, coats, alone])
    assert sale == Sale(
        (summer, coats) if str(summer.id) < str(coats.id) else (coats, summer),
        Decimal("100.00"),
        Decimal("70.00"),
    )
    assert sale.label("USD") == "−30%"
    assert sale.title in (
        "Summer sale + Extra 10 % off coats",
        "Extra 10 % off coats + Summer sale",
    )
    # A higher priority alone beats them, however much they take off together.
    first = Offer(uuid.uuid4(), "Staff pick", "fixed", Decimal("1"), 5)
    assert sale_of(Decimal("100.00"), [summer, coats, first]) == Sale(
        (first,), Decimal("100.00"), Decimal("99.00")
    )
    # Together they never go below zero.
    big = Offer(uuid.uuid4(), "−$80", "fixed", Decimal("80"), 0, stacks=True)
    assert sale_of(Decimal("100.00"), [summer, big]).price == Decimal("0.00")  # type: ignore[union-attr]


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
