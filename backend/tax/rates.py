"""The tax rates that apply to an address, and the shop's tax configuration. Every cart,
checkout step and order placement asks for them, and a merchant rarely changes them: each
process reads them at most once a second per address (one read at a time), so an order is
taxed at the rates configured at most a second before it was placed (and keeps them: its
tax lines are written with it). A change made in this process applies here at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.db import read_scope
from backend.core.regions import canonical_region
from backend.core.single_flight import FreshCache
from backend.pricing.totals import NO_TAX, AppliedTax
from backend.tax.models import STANDARD_CLASS, TaxConfiguration, TaxRate


@dataclass(frozen=True)
class TaxTable:
    """The rates for one address, by tax class: a region's own rate wins over its
    country's; a class without a rate there is taxed at the standard rate; a country
    without rates is not taxed."""

    country: str
    region: str
    by_class: Mapping[str, AppliedTax] = field(default_factory=dict)

    @property
    def standard(self) -> AppliedTax:
        return self.by_class.get(STANDARD_CLASS, NO_TAX)

    def for_class(self, tax_class: str) -> AppliedTax:
        return self.by_class.get(tax_class, self.standard)


FRESH_FOR_SECONDS = 1.0
# (country, region) → its rates; bounded, as addresses name any region.
_tables: FreshCache[tuple[str, str], TaxTable] = FreshCache(seconds=FRESH_FOR_SECONDS, maxsize=512)
_configuration: FreshCache[str, bool] = FreshCache(seconds=FRESH_FOR_SECONDS)


def forget_cached() -> None:
    """After a change to the rates or the configuration in this process: the next read
    sees it at once."""
    _tables.forget()
    _configuration.forget()


async def tax_table(
    country: str, region: str | None, session: AsyncSession | None = None
) -> TaxTable:
    """The rates of an address, by tax class. A caller inside a transaction passes its
    `session`: a read goes through it (a second connection for each transaction in
    flight can run the pool dry)."""
    country = country.strip().upper()
    place = canonical_region(country, region)
    return await _tables.get((country, place), lambda: _read_tax_table(country, place, session))


async def _read_tax_table(country: str, place: str, session: AsyncSession | None) -> TaxTable:
    if session is None:
        async with read_scope() as own:
            return await _read_tax_table(country, place, own)
    rows = (
        await session.exec(
            select(TaxRate).where(
                TaxRate.country == country,
                col(TaxRate.region).in_(["", place] if place else [""]),
            )
        )
    ).all()
    by_class: dict[str, AppliedTax] = {}
    # Whole-country rates first, so the region's own replace them.
    for row in sorted(rows, key=lambda r: r.region != ""):
        by_class[row.tax_class] = AppliedTax(row.name, row.percent)
    return TaxTable(country, place, by_class)


async def prices_include_tax(session: AsyncSession | None = None) -> bool:
    """Whether catalog prices are what shoppers pay, tax included (EU/UK style);
    `session` as for `tax_table`."""
    return await _configuration.get("prices_include_tax", lambda: _read_prices_include_tax(session))


async def _read_prices_include_tax(session: AsyncSession | None) -> bool:
    if session is None:
        async with read_scope() as own:
            return await _read_prices_include_tax(own)
    found = await session.get(TaxConfiguration, 1)
    return bool(found and found.prices_include_tax)
