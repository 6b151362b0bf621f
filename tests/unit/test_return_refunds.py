"""The refund a return is offered: the goods' paid value, capped at what is left."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.orders.models import Order, OrderLine
from backend.returns.lookups import value_of
from backend.returns.refunds import default_refund, returned_goods_value, unused_credit_refund
from backend.returns.schemas import CoveredLine
from backend.returns.status import ReturnStatus, can_move

D = Decimal


def test_without_discount_or_tax_the_goods_are_worth_their_price() -> None:
    value = returned_goods_value(
        goods=D("60.00"), subtotal=D("90.00"), discount=D(0), shipping=D(0), tax=D(0)
    )
    assert value == D("60.00")


def test_the_goods_carry_their_share_of_the_discount_and_of_the_tax() -> None:
    # 70.00 − 7.00 (10 %) + 4.95 shipping, 20 % tax on 67.95 = 13.59; two 10.00 mugs back
    value = returned_goods_value(
        goods=D("20.00"),
        subtotal=D("70.00"),
        discount=D("7.00"),
        shipping=D("4.95"),
        tax=D("13.59"),
    )
    assert value == D("21.60")  # (20.00 − 2.00) × 1.2


def test_returning_everything_gives_back_all_but_shipping_and_its_tax() -> None:
    value = returned_goods_value(
        goods=D("70.00"),
        subtotal=D("70.00"),
        discount=D("7.00"),
        shipping=D("4.95"),
        tax=D("13.59"),
    )
    assert value == D("75.60")  # 81.54 paid − 4.95 shipping − 0.99 tax on shipping


def test_prices_that_include_tax_are_not_taxed_again() -> None:
    # 70.00 incl. 20 % VAT, 7.00 off, 4.95 shipping: 67.95 paid, of it 11.33 VAT
    value = returned_goods_value(
        goods=D("20.00"),
        subtotal=D("70.00"),
        discount=D("7.00"),
        shipping=D("4.95"),
        tax=D("11.33"),
        prices_include_tax=True,
    )
    assert value == D("18.00")  # what the two mugs cost after their share of the discount


def test_exchange_credit_not_used_goes_back_at_the_rate_the_goods_were_paid() -> None:
    # An 80.00 jacket paid 86.40 (10 % off, 20 % tax) swapped for a 70.00 one: 10.00 of
    # the credit is unused, and goes back as 86.40 × 10 / 80.
    assert unused_credit_refund(value=D("86.40"), credit=D("80.00"), used=D("70.00")) == D("10.80")
    assert unused_credit_refund(value=D("86.40"), credit=D("80.00"), used=D("80.00")) == D(0)
    assert unused_credit_refund(value=D("86.40"), credit=D("80.00"), used=D(0)) == D("86.40")


def test_the_offer_never_exceeds_what_is_left_to_refund() -> None:
    assert default_refund(D("40.00"), D("14.95")) == D("14.95")
    assert default_refund(D("40.00"), D("0.00")) == D("0.00")


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("requested", ReturnStatus.APPROVED, True),
        ("requested", ReturnStatus.REJECTED, True),
        ("requested", ReturnStatus.RECEIVED, False),
        ("approved", ReturnStatus.RECEIVED, True),
        ("approved", ReturnStatus.REFUNDED, False),
        ("received", ReturnStatus.REFUNDED, True),
        ("rejected", ReturnStatus.APPROVED, False),
        ("refunded", ReturnStatus.REFUNDED, False),
        ("received", ReturnStatus.EXCHANGED, True),
        ("approved", ReturnStatus.EXCHANGED, False),
        ("exchanged", ReturnStatus.REFUNDED, False),
    ],
)
def test_the_transition_table(current: str, target: ReturnStatus, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def _multibuy_order() -> tuple[Order, OrderLine, OrderLine]:
    """Two mugs at 20.00 under "Buy 2, get 1 free" (20.00 off that line), a 10.00 plate,
    and a 10 % code on the 30.00 left: 27.00 paid, no shipping or tax."""
    order = Order(
        subtotal=Decimal("50.00"),
        discount=Decimal("23.00"),
        multibuy_discount=Decimal("20.00"),
        shipping=Decimal("0.00"),
        tax=Decimal("0.00"),
        total=Decimal("27.00"),
    )
    mugs = OrderLine(
        unit_price=Decimal("20.00"),
        quantity=2,
        line_total=Decimal("40.00"),
        multibuy_discount=Decimal("20.00"),
        multibuy_title="Buy 2, get 1 free",
    )
    plate = OrderLine(unit_price=Decimal("10.00"), quantity=1, line_total=Decimal("10.00"))
    return order, mugs, plate


def test_what_a_multi_buy_took_off_a_line_stays_with_it() -> None:
    order, mugs, plate = _multibuy_order()
    both_mugs = value_of(order, [CoveredLine(mugs, 2)])
    one_mug = value_of(order, [CoveredLine(mugs, 1)])
    the_plate = value_of(order, [CoveredLine(plate, 1)])

    assert both_mugs == Decimal("18.00")  # 20.00 paid for the pair, less 2.00 of the code
    assert one_mug == Decimal("9.00")  # half of the pair
    assert the_plate == Decimal("9.00")  # 10.00 less its 1.00 of the code
    assert both_mugs + the_plate == order.total  # everything back: exactly what was paid


@st.composite
def orders_with_multibuys(draw: st.DrawFn) -> tuple[Order, list[OrderLine]]:
    """An order without tax or shipping: lines, some under a multi-buy, and a further
    discount (order promotion and code) on what is left."""
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        price = draw(st.decimals("0.01", "300.00", places=2))
        quantity = draw(st.integers(1, 4))
        total = price * quantity
        off = draw(st.one_of(st.just(Decimal("0.00")), st.decimals(0, total, places=2)))
        lines.append(
            OrderLine(unit_price=price, quantity=quantity, line_total=total, multibuy_discount=off)
        )
    subtotal = sum((line.line_total for line in lines), Decimal(0))
    multibuy = sum((line.multibuy_discount for line in lines), Decimal(0))
    further = draw(st.decimals(0, subtotal - multibuy, places=2))
    order = Order(
        subtotal=subtotal,
        discount=multibuy + further,
        multibuy_discount=multibuy,
        shipping=Decimal("0.00"),
        tax=Decimal("0.00"),
        total=subtotal - multibuy - further,
    )
    return order, lines


@given(orders_with_multibuys(), st.data())
def test_refunds_of_any_lines_never_exceed_what_those_lines_cost(
    placed: tuple[Order, list[OrderLine]], data: st.DataObject
) -> None:
    order, lines = placed
    chosen = data.draw(st.lists(st.sampled_from(range(len(lines))), unique=True))
    rest = [i for i in range(len(lines)) if i not in chosen]

    def value(indexes: list[int]) -> Decimal:
        return value_of(order, [CoveredLine(lines[i], lines[i].quantity) for i in indexes])

    paid_for = sum((lines[i].line_total - lines[i].multibuy_discount for i in chosen), D(0))
    assert D(0) <= value(chosen) <= paid_for
    assert value(list(range(len(lines)))) == order.total  # all back: exactly what was paid
    assert value(chosen) + value(rest) <= order.total + D("0.01")  # one rounding each
