"""How the storefront labels prices for a shopper's country (from their browser's
language, else the shop's home country, the first the zones list): "incl. VAT" when
catalog prices include tax (named as that country names it), "+ tax" when tax is added
at checkout, "" when the country charges none. Read at most once a second per process and
country: a merchant's change shows within a second everywhere."""

from __future__ import annotations

import time

from backend.core.db import session_scope
from backend.shipping import quotes
from backend.tax import rates

FRESH_FOR_SECONDS = 1.0
_cached: dict[str, tuple[float, str]] = {}  # country ("" for home): (read at, note)


async def price_note(country: str | None = None) -> str:
    key = country or ""
    now = time.monotonic()
    if (found := _cached.get(key)) is not None and now - found[0] < FRESH_FOR_SECONDS:
        return found[1]
    async with session_scope() as session:
        countries = await quotes.countries_shipped_to(session)
        include = await rates.prices_include_tax(session)
        shown = country if country in countries else (countries[0] if countries else None)
        home = await rates.tax_table(session, shown, None) if shown else None
    standard = home.standard if home else None
    if include:
        note = f"incl. {standard.name}" if standard and standard.percent else "incl. tax"
    else:
        note = "+ tax" if standard is None or standard.percent else ""
    _cached[key] = (now, note)
    return note
