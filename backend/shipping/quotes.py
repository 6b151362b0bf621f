"""The shipping methods offered for an address and a parcel, from the zones in the
database. Every cart, checkout step and order placement asks for them, and a merchant
rarely changes them: each process reads them at most once a second (one read at a time),
so an order is priced with what was configured at most a second before it was placed. A
change made in this process (`backend/shipping/services.py`) applies here at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.db import read_scope
from backend.core.errors import InvalidInputError
from backend.core.regions import canonical_region, country_name
from backend.core.single_flight import FreshCache
from backend.shipping.models import (
    ShippingMethod,
    ShippingMethodExclusion,
    ShippingRateBand,
    ShippingZone,
)
from backend.shipping.rules import (
    Band,
    Destination,
    MethodRule,
    Parcel,
    ShippingOption,
    ZoneRule,
    normalize_postcode,
    zone_for,
)


def destination(
    country: str, region: str | None = None, postcode: str | None = None
) -> Destination:
    country = country.strip().upper()
    return Destination(country, canonical_region(country, region), normalize_postcode(postcode))


FRESH_FOR_SECONDS = 1.0
_zones: FreshCache[str, tuple[ZoneRule, ...]] = FreshCache(seconds=FRESH_FOR_SECONDS)
_countries: FreshCache[str, tuple[str, ...]] = FreshCache(seconds=FRESH_FOR_SECONDS)


def forget_cached() -> None:
    """After a change to the zones in this process: the next read sees it at once."""
    _zones.forget()
    _countries.forget()


async def zones_in_force(session: AsyncSession | None = None) -> tuple[ZoneRule, ...]:
    """Every zone with its active methods (in their order), bands and exclusions, oldest
    zone first. A caller inside a transaction passes its `session`: a read goes through
    it, as a second connection for each transaction in flight can run the pool dry (200
    checkouts at once waited for connections that only they held)."""
    return await _zones.get("zones", lambda: _load_zones(session) if session else _read_zones())


async def _read_zones() -> tuple[ZoneRule, ...]:
    async with read_scope() as session:
        return await _load_zones(session)


async def _load_zones(session: AsyncSession) -> tuple[ZoneRule, ...]:
    """Four statements, whatever the number of zones."""
    zones = (
        await session.exec(
            select(ShippingZone).order_by(col(ShippingZone.created_at), col(ShippingZone.name))
        )
    ).all()
    methods = (
        await session.exec(
            select(ShippingMethod)
            .where(col(ShippingMethod.is_active))
            .order_by(col(ShippingMethod.position), col(ShippingMethod.name))
        )
    ).all()
    bands: dict[object, list[Band]] = defaultdict(list)
    for band in (await session.exec(select(ShippingRateBand))).all():
        bands[band.method_id].append(Band(band.up_to, band.price))
    excluded_products: dict[object, set[object]] = defaultdict(set)
    excluded_categories: dict[object, set[object]] = defaultdict(set)
    for exclusion in (await session.exec(select(ShippingMethodExclusion))).all():
        if exclusion.product_id is not None:
            excluded_products[exclusion.method_id].add(exclusion.product_id)
        if exclusion.category_id is not None:
            excluded_categories[exclusion.method_id].add(exclusion.category_id)
    by_zone: dict[object, list[MethodRule]] = defaultdict(list)
    for method in methods:
        by_zone[method.zone_id].append(
            MethodRule(
                code=method.code,
                name=method.name,
                delivery_time=method.delivery_time,
                rate_basis=method.rate_basis,
                flat_price=method.flat_price,
                free_above=method.free_above,
                bands=tuple(bands[method.id]),
                excluded_products=frozenset(excluded_products[method.id]),  # type: ignore[arg-type]
                excluded_categories=frozenset(excluded_categories[method.id]),  # type: ignore[arg-type]
            )
        )
    return tuple(
        ZoneRule(
            id=zone.id,
            name=zone.name,
            countries=frozenset(zone.countries),
            regions=frozenset(zone.regions),
            postcode_prefixes=tuple(normalize_postcode(p) for p in zone.postcode_prefixes),
            taxes_shipping=zone.taxes_shipping,
            methods=tuple(by_zone[zone.id]),
        )
        for zone in zones
    )


@dataclass(frozen=True)
class ShippingQuote:
    zone: ZoneRule
    options: list[ShippingOption]

    def option(self, code: str) -> ShippingOption:
        for option in self.options:
            if option.code == code:
                return option
        names = ", ".join(option.label for option in self.options)
        raise InvalidInputError(
            "Choose a shipping method.",
            {
                "shipping_method": f"Choose one of: {names}."
                if names
                else "Choose a shipping method."
            },
        )


def not_shipped_to(country: str) -> InvalidInputError:
    return InvalidInputError(
        f"We don't ship to {country_name(country)}.",
        {"country": f"We don't ship to {country_name(country)}; please choose another address."},
    )


def not_shipped_within(where: Destination) -> InvalidInputError:
    field, part = ("postal_code", where.postcode) if where.postcode else ("region", where.region)
    place = f"{part}, {country_name(where.country)}" if part else country_name(where.country)
    return InvalidInputError(
        f"We don't ship to {place}.",
        {field: f"We don't ship to {place}; please choose another address."},
    )


async def quote(
    where: Destination, parcel: Parcel, session: AsyncSession | None = None
) -> ShippingQuote:
    """The methods of the address's zone that can take the parcel, with their prices
    (`session`: see `zones_in_force`). Raises InvalidInputError ("We don't ship to …")
    when no zone covers the address or none of its methods can take this parcel."""
    zones = await zones_in_force(session)
    zone = zone_for(zones, where)
    if zone is None:
        if any(where.country in other.countries for other in zones):
            raise not_shipped_within(where)  # the country, but not this part of it
        raise not_shipped_to(where.country)
    options = zone.options_for(parcel)
    if not options:
        raise InvalidInputError(
            "None of our shipping methods can take this order to that address.",
            {"shipping_method": "No shipping method takes these items there."},
        )
    return ShippingQuote(zone, options)


async def countries_shipped_to() -> tuple[str, ...]:
    """Every country some zone covers, in the order the zones list them (oldest zone
    first): the first is the shop's home country for checkout's default."""
    return await _countries.get("countries", _read_countries)


async def _read_countries() -> tuple[str, ...]:
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(ShippingZone.countries).order_by(
                    col(ShippingZone.created_at), col(ShippingZone.name)
                )
            )
        ).all()
    seen: dict[str, None] = {}
    for countries in rows:
        for country in countries:
            seen.setdefault(country, None)
    return tuple(seen)
