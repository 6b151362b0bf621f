"""Money: Decimal amounts with a currency, rounded in one place, formatted for people.

Floats never hold money. An amount is rounded once, by `quantize` (to the cent, half away
from zero), where it becomes a price, a line, a total or a figure; everything that shows
or sends an amount goes through `format_money` (people: pages, e-mails) or
`decimal_string` (machines: the API, "12.50"), which round the same way. Amounts reach the
browser only as preformatted strings; events carry Decimals and their currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency

CENT = Decimal("0.01")
# How amounts are written for people is a store setting (Admin → Settings): one of these
# number formats ("$1,234.50", "1.234,50 €", …). Formatting happens in synchronous code
# everywhere (schemas, templates), so the setting in force is kept here, process-wide, and
# set by whoever reads the store settings (`backend/shop_settings/values.py`).
DISPLAY_LOCALES = (
    "en_US",
    "en_GB",
    "en_CA",
    "en_AU",
    "de_DE",
    "de_CH",
    "fr_FR",
    "fr_CA",
    "nl_NL",
    "es_ES",
    "it_IT",
    "sv_SE",
    "pl_PL",
)
DEFAULT_DISPLAY_LOCALE = "en_US"
_in_force = {"display_locale": DEFAULT_DISPLAY_LOCALE}


def quantize(amount: Decimal) -> Decimal:
    """The one rounding rule: to the cent, half away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def share_out(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` split over `weights` in proportion, in whole cents that add up to it
    exactly: each share is rounded down, and the cents left go to the largest remainders
    (the earliest weight first on ties)."""
    whole = sum(weights, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        return [amount if i == 0 else Decimal("0.00") for i in range(len(weights))]
    exact = [amount * weight / whole for weight in weights]
    shares = [share.quantize(CENT, rounding=ROUND_FLOOR) for share in exact]
    left = int((amount - sum(shares, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += CENT
    return shares


def format_money(amount: Decimal, currency: str, *, locale: str | None = None) -> str:
    """For people: "$1,234.50", "1.234,50 €" (the shop's number format, or `locale`)."""
    return format_currency(quantize(amount), currency, locale=locale or _in_force["display_locale"])


def use_display_locale(locale: str) -> None:
    """Amounts are written this way from now on, in this process."""
    _in_force["display_locale"] = locale if locale in DISPLAY_LOCALES else DEFAULT_DISPLAY_LOCALE


def display_locale_label(locale: str, currency: str) -> str:
    """For the settings page: "English (United States): $1,234.50"."""
    name = Locale.parse(locale).get_display_name("en") or locale
    return f"{name}: {format_money(Decimal('1234.50'), currency, locale=locale)}"


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
