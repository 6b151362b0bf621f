"""Countries and their regions (US states, Canadian provinces, …) as addresses name them.

Shoppers type a region as "CA", "ca" or "California"; rules (tax rates, shipping zones)
name it once. Both are brought to the ISO 3166-2 code without the country ("CA") when
the country has such a subdivision, else kept as typed, trimmed and upper-cased.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


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
