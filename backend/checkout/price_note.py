"""How the storefront labels prices for a shopper's country (from their browser's
language, else the shop's home country, the first the zones list): "incl. VAT" when
catalog prices include tax (named as that country names it), "+ tax" when tax is added
at checkout, "" when the country charges none. Made from the countries and tax rates each
process reads at most once a second (`quotes`, `rates`): a merchant's change shows at once
in the process that made it and within a second everywhere."""

from __future__ import annotations

from backend.shipping import quotes
from backend.tax import rates


async def price_note(country: str | None = None) -> str:
    countries = await quotes.countries_shipped_to()
    include = await rates.prices_include_tax()
    shown = country if country in countries else (countries[0] if countries else None)
    home = await rates.tax_table(shown, None) if shown else None
    standard = home.standard if home else None
    if include:
        note = f"incl. {standard.name}" if standard and standard.percent else "incl. tax"
    else:
        note = "+ tax" if standard is None or standard.percent else ""
    return note
