"""Staff's "preview checkout for an address": which zone an address falls in, the
methods (with prices) a sample order would be offered, and the tax rates by class."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.core.regions import country_name
from backend.pricing.totals import AppliedTax
from backend.shipping import quotes
from backend.shipping.rules import Parcel, ShippingOption, zone_for
from backend.tax import rates
from backend.tax.services import list_tax_classes


@dataclass(frozen=True)
class AddressPreview:
    place: str  # "California, United States"
    zone: str | None  # None: no zone covers the address
    options: tuple[ShippingOption, ...]
    taxes: tuple[tuple[str, AppliedTax], ...]  # (tax class name, its rate there)
    shipping_taxed: bool
    prices_include_tax: bool


async def preview_address(
    actor: Viewer,
    *,
    country: str,
    region: str = "",
    postcode: str = "",
    weight_kg: Decimal = Decimal(1),
    order_value: Decimal = Decimal(50),
) -> AddressPreview:
    require_permission(actor, Permission.SETTINGS, "preview checkout")
    where = quotes.destination(country, region, postcode)
    classes = await list_tax_classes()
    zone = zone_for(await quotes.zones_in_force(), where)
    table = await rates.tax_table(where.country, region)
    include = await rates.prices_include_tax()
    parcel = Parcel(weight_kg, order_value)
    return AddressPreview(
        place=", ".join(filter(None, (where.region, country_name(where.country)))),
        zone=zone.name if zone else None,
        options=tuple(zone.options_for(parcel)) if zone else (),
        taxes=tuple((tax_class.name, table.for_class(tax_class.code)) for tax_class in classes),
        shipping_taxed=bool(zone and zone.taxes_shipping),
        prices_include_tax=include,
    )
