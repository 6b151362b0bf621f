"""Money: Decimal amounts with a currency, rounded in one place, formatted for people.

Floats never hold money. Amounts reach the browser only as preformatted strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

CENT = Decimal("0.01")
DISPLAY_LOCALE = "en_US"


def quantize(amount: Decimal) -> Decimal:
    """The one rounding rule: to the cent, half away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            msg = f"Money amount must be a Decimal, got {type(self.amount).__name__}"
            raise TypeError(msg)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            msg = f"cannot combine {self.currency} and {other.currency}"
            raise ValueError(msg)

    def format(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal, currency: str) -> str:
    return format_currency(quantize(amount), currency, locale=DISPLAY_LOCALE)


# Currencies without cents (ISO 4217 exponent 0) that a shop might use.
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF"})


def to_minor_units(amount: Decimal, currency: str) -> int:
    """What payment gateways are sent: 12.34 USD → 1234; 500 JPY → 500."""
    exponent = 0 if currency.upper() in _ZERO_DECIMAL else 2
    return int(quantize(amount).scaleb(exponent).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(minor: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in _ZERO_DECIMAL else 2
    return quantize(Decimal(minor).scaleb(-exponent))
