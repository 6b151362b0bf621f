"""Money: Decimal amounts with a currency, rounded in one place, formatted for people.

Floats never hold money. An amount is rounded once, by `quantize` (to the cent, half away
from zero), where it becomes a price, a line, a total or a figure; everything that shows
or sends an amount goes through `format_money` (people: pages, e-mails) or
`decimal_string` (machines: the API, "12.50"), which round the same way. Amounts reach the
browser only as preformatted strings; events carry Decimals and their currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

CENT = Decimal("0.01")
DISPLAY_LOCALE = "en_US"


def quantize(amount: Decimal) -> Decimal:
    """The one rounding rule: to the cent, half away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str) -> str:
    """For people: "$1,234.50", "€12.00"."""
    return format_currency(quantize(amount), currency, locale=DISPLAY_LOCALE)


def decimal_string(amount: Decimal) -> str:
    """For machines: "1234.50" (`f"{amount:.2f}"` would round half to even)."""
    return str(quantize(amount))


# Currencies without cents (ISO 4217 exponent 0) that a shop might use.
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF"})


def to_minor_units(amount: Decimal, currency: str) -> int:
    """What payment gateways are sent: 12.34 USD → 1234; 500 JPY → 500."""
    exponent = 0 if currency.upper() in _ZERO_DECIMAL else 2
    return int(quantize(amount).scaleb(exponent).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(minor: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in _ZERO_DECIMAL else 2
    return quantize(Decimal(minor).scaleb(-exponent))
