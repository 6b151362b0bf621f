"""The tax rates that apply to an address, and the shop's tax configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.db import session_scope
from backend.core.regions import canonical_region
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


async def tax_table(session: AsyncSession, country: str, region: str | None) -> TaxTable:
    country = country.strip().upper()
    place = canonical_region(country, region)
    rows = (
        await session.exec(
            select(TaxRate).where(
                TaxRate.country == country, col(TaxRate.region).in_(["", place] if place else [""])
            )
        )
    ).all()
    by_class: dict[str, AppliedTax] = {}
    # Whole-country rates first, so the region's own replace them.
    for row in sorted(rows, key=lambda r: r.region != ""):
        by_class[row.tax_class] = AppliedTax(row.name, row.percent)
    return TaxTable(country, place, by_class)


async def prices_include_tax(session: AsyncSession | None = None) -> bool:
    """Whether catalog prices are what shoppers pay, tax included (EU/UK style)."""
    if session is None:
        async with session_scope() as own:
            return await prices_include_tax(own)
    found = await session.get(TaxConfiguration, 1)
    return bool(found and found.prices_include_tax)
