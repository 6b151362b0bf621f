"""Multi-buys ("buy 2, get the cheapest free", "3 for $50") over random carts: nothing is
taken below zero, each line counts towards one multi-buy at most, only whole groups
get anything, the result never depends on the order of the lines, and the examples a
merchant would check by hand."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.merchandising.multibuys import MultiBuy, MultiBuyLine, apply_multibuys

ZERO = Decimal("0.00")


def _offer(kind: str, value: str, buy: int, get: int = 1, **more: object) -> MultiBuy:
    return MultiBuy(
        id=uuid.uuid4(),
        title=f"{kind} {value} {buy}/{get}",
        kind=kind,  # type: ignore[arg-type]
        value=Decimal(value),
        buy_quantity=buy,
        discounted_quantity=get,
        **more,  # type: ignore[arg-type]
    )


def _line(price: str, quantity: int, *offers: MultiBuy, **more: object) -> MultiBuyLine:
    return MultiBuyLine(
        key=str(uuid.uuid4()),
        unit_price=Decimal(price),
        quantity=quantity,
        offers=offers,
        **more,  # type: ignore[arg-type]
    )


def _off(lines: list[MultiBuyLine]) -> list[Decimal]:
    return [found.amount if found else ZERO for found in apply_multibuys(lines)]


def test_buy_two_get_the_cheapest_free_pairs_the_dearest_first() -> None:
    two_for_one = _offer("percent", "100", 2)
    lines = [_line("30.00", 1, two_for_one), _line("5.00", 1, two_for_one)]
    lines += [_line("20.00", 1, two_for_one), _line("10.00", 1, two_for_one)]
    # Pairs (30, 20) and (10, 5): the 20 and the 5 are free.
    assert _off(lines) == [ZERO, Decimal("5.00"), Decimal("20.00"), ZERO]
    assert two_for_one.describe("USD") == "Buy 2, get 1 free"


def test_an_odd_unit_out_gets_nothing_and_one_line_can_make_a_group() -> None:
    two_for_one = _offer("percent", "100", 2)
    assert _off([_line("12.00", 3, two_for_one)]) == [Decimal("12.00")]
    assert _off([_line("12.00", 1, two_for_one)]) == [ZERO]
    half = _offer("percent", "50", 3, 1)
    assert half.describe("USD") == "Buy 3, get 1 50 % off"
    assert _off([_line("9.99", 3, half)]) == [Decimal("5.00")]  # 4.995 rounds once, up


def test_three_for_fifty_and_buy_three_save_ten() -> None:
    three_for_50 = _offer("bundle", "50", 3)
    assert three_for_50.describe("USD") == "3 for $50.00"
    lines = [_line("20.00", 2, three_for_50), _line("25.00", 1, three_for_50)]
    # 65 for the group at 50: 15 off, shared by price (20, 20, 25 → 4.62, 4.61, 5.77).
    off = _off(lines)
    assert sum(off, ZERO) == Decimal("15.00")
    assert off[1] > off[0] / 2
    # A group that costs less than the bundle price stays as it is.
    assert _off([_line("10.00", 3, three_for_50)]) == [ZERO]
    save_ten = _offer("fixed", "10", 3)
    assert save_ten.describe("USD") == "Buy 3, save $10.00"
    assert _off([_line("2.00", 3, save_ten)]) == [Decimal("6.00")]  # never below zero


def test_a_line_counts_towards_one_multi_buy_the_highest_priority_first() -> None:
    first = _offer("percent", "100", 2, priority=5)
    second = _offer("bundle", "1", 2)
    lines = [_line("10.00", 2, first, second), _line("8.00", 2, second)]
    applied = apply_multibuys(lines)
    assert applied[0] is not None
    assert applied[0].offer == first
    assert applied[0].amount == Decimal("10.00")
    assert applied[1] is not None
    assert applied[1].offer == second
    assert applied[1].amount == Decimal("15.00")  # two at 8 for 1


def test_items_on_sale_count_only_when_both_promotions_add_up() -> None:
    alone = _offer("percent", "100", 2)
    adding = _offer("percent", "100", 2, stacks=True)
    on_sale = {"on_sale": True, "sale_stacks": False}
    assert _off([_line("10.00", 2, alone, **on_sale)]) == [ZERO]
    assert _off([_line("10.00", 2, adding, **on_sale)]) == [ZERO]
    stacking_sale = {"on_sale": True, "sale_stacks": True}
    assert _off([_line("10.00", 2, alone, **stacking_sale)]) == [ZERO]
    assert _off([_line("10.00", 2, adding, **stacking_sale)]) == [Decimal("10.00")]


multibuys = st.builds(
    MultiBuy,
    id=st.uuids(),
    title=st.just("Offer"),
    kind=st.sampled_from(["percent", "fixed", "bundle"]),
    value=st.decimals("0.01", "100.00", places=2),
    buy_quantity=st.integers(2, 4),
    discounted_quantity=st.integers(1, 2),
    priority=st.integers(-1, 1),
    stacks=st.booleans(),
)


@st.composite
def carts(draw: st.DrawFn) -> list[MultiBuyLine]:
    offers = draw(st.lists(multibuys, min_size=1, max_size=3, unique_by=lambda o: o.id))
    lines = []
    for key in range(draw(st.integers(1, 6))):
        on_sale = draw(st.booleans())
        lines.append(
            MultiBuyLine(
                key=f"variant-{key}",
                unit_price=draw(st.decimals("0.00", "500.00", places=2)),
                quantity=draw(st.integers(1, 5)),
                offers=tuple(draw(st.lists(st.sampled_from(offers), max_size=3, unique=True))),
                on_sale=on_sale,
                sale_stacks=on_sale and draw(st.booleans()),
            )
        )
    return lines


@given(carts(), st.randoms())
def test_over_random_carts_multi_buys_keep_to_their_rules(
    lines: list[MultiBuyLine], shuffle: random.Random
) -> None:
    applied = apply_multibuys(lines)
    for line, found in zip(lines, applied, strict=True):
        if found is None:
            continue
        assert found.offer in line.offers
        assert not line.on_sale or (found.offer.stacks and line.sale_stacks)
        assert ZERO < found.amount <= line.unit_price * line.quantity
        assert found.amount == found.amount.quantize(Decimal("0.01"))
    for offer in {found.offer for found in applied if found}:
        grouped = [
            line
            for line, found in zip(lines, applied, strict=True)
            if found and found.offer == offer
        ]
        taken = sum((found.amount for found in applied if found and found.offer == offer), ZERO)
        covered_units = sum(line.quantity for line in lines if offer in line.offers)
        groups = covered_units // offer.buy_quantity
        assert groups >= 1  # only whole groups get anything
        if offer.kind == "percent":  # `discounted_quantity` units per group at most
            most = max(line.unit_price for line in grouped)
            assert taken <= groups * offer.discounted_quantity * most
        elif offer.kind == "fixed":
            assert taken <= groups * offer.value

    order = list(range(len(lines)))
    shuffle.shuffle(order)
    again = apply_multibuys([lines[i] for i in order])
    assert [again[order.index(i)] for i in range(len(lines))] == applied
