"""How the storefront labels prices for a shopper's country (from their browser's
language, else the shop's home country, the first the zones list): "incl. VAT" when
catalog prices include tax (named as that country names it), "+ tax" when tax is added
at checkout, "" when the country charges none. Read at most once a second per process and
country: a merchant's change shows within a second everywhere."""

from __future__ import annotations

import time

from cachetools import TTLCache

from backend.shipping import quotes
from backend.tax import rates

FRESH_FOR_SECONDS = 1.0
# Country ("" for home) → note; a bounded number of countries (browsers send any code).
_notes: TTLCache[str, str] = TTLCache(maxsize=256, ttl=FRESH_FOR_SECONDS, timer=time.monotonic)


async def price_note(country: str | None = None) -> str:
    key = country or ""
    if (cached := _notes.get(key)) is not None:
        return cached
    countries = await quotes.countries_shipped_to()
    include = await rates.prices_include_tax()
    shown = country if country in countries else (countries[0] if countries else None)
    home = await rates.tax_table(shown, None) if shown else None
    standard = home.standard if home else None
    if include:
        note = f"incl. {standard.name}" if standard and standard.percent else "incl. tax"
    else:
        note = "+ tax" if standard is None or standard.percent else ""
    _notes[key] = note
    return note


def forget_cached() -> None:
    """This process reads the notes afresh next time (tests, after their own change)."""
    _notes.clear()
