"""Countries and their regions (US states, Canadian provinces, …) as addresses name them.

Shoppers type a region as "CA", "ca" or "California"; rules (tax rates, shipping zones)
name it once. Both are brought to the ISO 3166-2 code without the country ("CA") when
the country has such a subdivision, else kept as typed, trimmed and upper-cased.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=4096)
def canonical_region(country: str, region: str | None) -> str:
    """ "California" or "ca" in US → "CA"; "" when there is no region."""
    text = (region or "").strip()
    if not text:
        return ""
    country = country.strip().upper()
    # pycountry's lookups carry no type hints.
    subdivision = pycountry.subdivisions.get(code=f"{country}-{text.upper()}")  # type: ignore[no-untyped-call]
    if subdivision is None:
        by_country = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
        for candidate in by_country or ():
            if candidate.name.casefold() == text.casefold():
                subdivision = candidate
                break
    if subdivision is None:
        return text.upper()
    return str(subdivision.code).split("-", 1)[1]


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """ "DE" → "Germany"; an unknown code is returned as it is."""
    country = pycountry.countries.get(alpha_2=code.strip().upper())
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def is_country_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_from_accept_language(header: str | None) -> str | None:
    """The country of the browser's first language with one: "de-DE,de;q=0.9" → "DE";
    None when the first language names no country ("de") or cannot be read."""
    first = (header or "").split(",", 1)[0].split(";", 1)[0].strip()
    if not first or len(first) > 35:
        return None
    try:
        territory = Locale.parse(first, sep="-" if "-" in first else "_").territory
    except (ValueError, UnknownLocaleError):
        return None
    return territory if territory and is_country_code(territory) else None
