"""How the storefront labels prices: "incl. VAT" when catalog prices include tax (named
as the shop's home country names it), "+ tax" when tax is added at checkout, "" when
the home country charges none. Read at most once a second per process: a merchant's
change shows within a second everywhere, and pages add no queries."""

from __future__ import annotations

import time

from backend.core.db import session_scope
from backend.shipping import quotes
from backend.tax import rates

FRESH_FOR_SECONDS = 1.0
_cached: dict[str, tuple[float, str]] = {}  # "note": (read at, note)


async def price_note() -> str:
    now = time.monotonic()
    if (found := _cached.get("note")) is not None and now - found[0] < FRESH_FOR_SECONDS:
        return found[1]
    async with session_scope() as session:
        countries = await quotes.countries_shipped_to(session)
        include = await rates.prices_include_tax(session)
        home = await rates.tax_table(session, countries[0], None) if countries else None
    standard = home.standard if home else None
    if include:
        note = f"incl. {standard.name}" if standard and standard.percent else "incl. tax"
    else:
        note = "+ tax" if standard is None or standard.percent else ""
    _cached["note"] = (now, note)
    return note
