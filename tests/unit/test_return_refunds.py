"""The refund a return is offered: the goods' paid value, capped at what is left."""

from decimal import Decimal

import pytest

from backend.returns.refunds import default_refund, returned_goods_value
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
    ],
)
def test_the_transition_table(current: str, target: ReturnStatus, allowed: bool) -> None:
    assert can_move(current, target) is allowed
