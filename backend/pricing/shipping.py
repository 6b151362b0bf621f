"""The shipping methods offered at checkout, priced from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.core.errors import InvalidInputError
from backend.pricing.totals import ZERO
from backend.settings import get_settings


@dataclass(frozen=True)
class ShippingOption:
    code: str
    label: str
    delivery: str
    price: Decimal


def shipping_options(merchandise: Decimal) -> list[ShippingOption]:
    """The methods for a cart worth `merchandise` (after discounts): standard is free
    from the free-shipping threshold on."""
    settings = get_settings()
    standard = settings.shipping_standard_price
    if merchandise >= settings.free_shipping_threshold:
        standard = ZERO
    return [
        ShippingOption("standard", "Standard", "3–5 business days", standard),
        ShippingOption("express", "Express", "1–2 business days", settings.shipping_express_price),
    ]


def shipping_option(code: str, merchandise: Decimal) -> ShippingOption:
    for option in shipping_options(merchandise):
        if option.code == code:
            return option
    raise InvalidInputError(
        "Choose a shipping method.", {"shipping_method": "Choose standard or express."}
    )


def amount_to_free_shipping(merchandise: Decimal) -> Decimal:
    """How much more would make standard shipping free (0 when it already is)."""
    return max(ZERO, get_settings().free_shipping_threshold - merchandise)


def tax_rate(country: str) -> Decimal:
    """The tax rate (percent) of a country the shop ships to."""
    rates = get_settings().tax_rates
    if country not in rates:
        raise InvalidInputError(
            "We do not ship to that country.",
            {"country": "We ship to " + ", ".join(sorted(rates)) + "."},
        )
    return rates[country]


def shipping_countries() -> list[str]:
    return sorted(get_settings().tax_rates)
