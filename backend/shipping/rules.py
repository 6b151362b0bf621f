"""Shipping rules, pure: which zone an address belongs to, and what each of the zone's
methods costs for a parcel (its weight, value and contents)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from backend.core.money import quantize

ZERO = Decimal("0.00")
GRAMS_PER_KG = Decimal(1000)


def normalize_postcode(postcode: str | None) -> str:
    """ "sw1a 1aa" → "SW1A1AA": prefixes match regardless of spacing and case."""
    return "".join((postcode or "").split()).upper()


@dataclass(frozen=True)
class Destination:
    country: str  # ISO code, upper case
    region: str = ""  # canonical (backend.core.regions)
    postcode: str = ""  # normalized


@dataclass(frozen=True)
class Parcel:
    """What is shipped: weight in kilograms, value (merchandise after discounts), and
    the products and categories (with their parent categories) in it."""

    weight_kg: Decimal
    value: Decimal
    product_ids: frozenset[uuid.UUID] = frozenset()
    category_ids: frozenset[uuid.UUID] = frozenset()

    @classmethod
    def of(
        cls,
        lines: Iterable[tuple[int | None, int]],
        *,
        value: Decimal,
        product_ids: Iterable[uuid.UUID] = (),
        category_ids: Iterable[uuid.UUID] = (),
    ) -> Parcel:
        """From (weight in grams or None, quantity) per line; no weight counts as 0."""
        grams = sum(((weight or 0) * quantity for weight, quantity in lines), 0)
        return cls(
            Decimal(grams) / GRAMS_PER_KG, value, frozenset(product_ids), frozenset(category_ids)
        )


@dataclass(frozen=True)
class Band:
    up_to: Decimal | None  # None: everything above the other bands
    price: Decimal


@dataclass(frozen=True)
class MethodRule:
    code: str
    name: str
    delivery_time: str
    rate_basis: str  # flat | weight | value
    flat_price: Decimal | None = None
    free_above: Decimal | None = None
    bands: tuple[Band, ...] = ()
    excluded_products: frozenset[uuid.UUID] = frozenset()
    excluded_categories: frozenset[uuid.UUID] = frozenset()

    def carries(self, parcel: Parcel) -> bool:
        return not (
            self.excluded_products & parcel.product_ids
            or self.excluded_categories & parcel.category_ids
        )

    def price_for(self, parcel: Parcel) -> Decimal | None:
        """What shipping `parcel` costs, or None when this method cannot take it (an
        excluded product, or heavier or dearer than its last band)."""
        if not self.carries(parcel):
            return None
        if self.rate_basis == "flat":
            price = self.flat_price
        else:
            measure = parcel.weight_kg if self.rate_basis == "weight" else parcel.value
            price = band_price(self.bands, measure)
        if price is None:
            return None
        if self.free_above is not None and parcel.value >= self.free_above:
            return ZERO
        return quantize(price)


def band_price(bands: Iterable[Band], measure: Decimal) -> Decimal | None:
    """The price of the first band (by `up_to`, open-ended last) that reaches `measure`."""
    ordered = sorted(bands, key=lambda band: (band.up_to is None, band.up_to or ZERO))
    for band in ordered:
        if band.up_to is None or measure <= band.up_to:
            return band.price
    return None


@dataclass(frozen=True)
class ShippingOption:
    code: str
    label: str
    delivery: str
    price: Decimal


@dataclass(frozen=True)
class ZoneRule:
    id: uuid.UUID
    name: str
    countries: frozenset[str]
    regions: frozenset[str] = frozenset()
    postcode_prefixes: tuple[str, ...] = ()
    taxes_shipping: bool = True
    methods: tuple[MethodRule, ...] = ()

    def specificity(self, destination: Destination) -> int | None:
        """How closely the zone fits the address (postcode 2, region 1, country 0), or
        None when it does not cover it."""
        if destination.country not in self.countries:
            return None
        if self.regions and destination.region not in self.regions:
            return None
        if self.postcode_prefixes:
            if not destination.postcode.startswith(self.postcode_prefixes):
                return None
            return 2
        return 1 if self.regions else 0

    def options_for(self, parcel: Parcel) -> list[ShippingOption]:
        options = []
        for method in self.methods:
            price = method.price_for(parcel)
            if price is not None:
                options.append(
                    ShippingOption(method.code, method.name, method.delivery_time, price)
                )
        return options


def zone_for(zones: Iterable[ZoneRule], destination: Destination) -> ZoneRule | None:
    """The most specific zone covering the address; among equals, the first given."""
    best: tuple[int, ZoneRule] | None = None
    for zone in zones:
        fit = zone.specificity(destination)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, zone)
    return best[1] if best else None
