"""Money is rounded by one rule, half away from zero to the cent, once, wherever it is
rounded: totals, figures, price changes, the API's decimal strings, e-mails and pages."""

from decimal import Decimal

import pytest

from backend.analytics.sales import RangeSales, SalesSummary
from backend.catalog.services import changed_price
from backend.core.money import (
    decimal_string,
    format_money,
    from_minor_units,
    quantize,
    to_minor_units,
)

# Half a cent after an even digit: half-up gives the next cent, half-even (Python's default
# for Decimal.quantize and for f"{amount:.2f}") would keep the even one.
HALF_AFTER_EVEN = Decimal("0.125")


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.125", "0.13"),
        ("2.675", "2.68"),
        ("0.005", "0.01"),
        ("2.344", "2.34"),
        ("0.0049", "0.00"),  # once: never 0.0049 → 0.005 → 0.01
        ("-0.005", "-0.01"),
        ("-2.125", "-2.13"),
        ("12", "12.00"),
    ],
)
def test_rounding_is_half_away_from_zero_to_the_cent(amount: str, rounded: str) -> None:
    assert quantize(Decimal(amount)) == Decimal(rounded)
    assert str(quantize(Decimal(amount))) == rounded


def test_rounding_twice_changes_nothing() -> None:
    once = quantize(Decimal("19.994999"))
    assert quantize(once) == once == Decimal("19.99")


def test_money_is_formatted_with_its_currency_by_the_same_rule() -> None:
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("12"), "EUR") == "€12.00"
    assert format_money(HALF_AFTER_EVEN, "USD") == "$0.13"


def test_the_apis_decimal_strings_round_by_the_same_rule() -> None:
    assert f"{HALF_AFTER_EVEN:.2f}" == "0.12"  # why the API does not use format specs
    assert decimal_string(HALF_AFTER_EVEN) == "0.13"
    assert decimal_string(Decimal("1234.5")) == "1234.50"
    assert decimal_string(Decimal("0")) == "0.00"


def test_gateway_minor_units_round_by_the_same_rule() -> None:
    assert to_minor_units(HALF_AFTER_EVEN, "USD") == 13
    assert to_minor_units(Decimal("500"), "JPY") == 500
    assert from_minor_units(1234, "USD") == Decimal("12.34")


def test_analytics_averages_round_half_up() -> None:
    # 0.25 over 2 orders is 0.125: the admin sees 0.13, as every other amount would show it.
    assert RangeSales(Decimal("0.25"), 2).average_order_value == Decimal("0.13")
    month = SalesSummary("USD", Decimal(0), 0, Decimal("0.25"), 2)
    assert month.average_order_value_month == Decimal("0.13")


def test_a_bulk_price_change_rounds_half_up_once() -> None:
    assert changed_price(Decimal("0.25"), Decimal(-50)) == Decimal("0.13")
    assert changed_price(Decimal("19.99"), Decimal(10)) == Decimal("21.99")  # 21.989
