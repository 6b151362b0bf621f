from decimal import Decimal

import pytest

from backend.core.money import Money, format_money, quantize


def test_rounding_is_half_up_to_the_cent() -> None:
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("2.344")) == Decimal("2.34")
    assert quantize(Decimal("-0.005")) == Decimal("-0.01")


def test_money_is_formatted_with_its_currency() -> None:
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("12"), "EUR") == "€12.00"


def test_money_adds_only_within_one_currency() -> None:
    total = Money(Decimal("1.10"), "USD") + Money(Decimal("2.20"), "USD")
    assert total == Money(Decimal("3.30"), "USD")
    with pytest.raises(ValueError, match="cannot combine USD and EUR"):
        Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError, match="must be a Decimal"):
        Money(0.1, "USD")  # type: ignore[arg-type]
