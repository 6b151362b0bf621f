"""Staff editing shipping zones and their methods (administrators; every change in the
audit log). Checkout reads the tables fresh for each order, so a change applies to the
next checkout on every web process and worker."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog.models import Category, Product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.shipping import quotes
from backend.shipping.inputs import MethodInput, ZoneInput
from backend.shipping.models import (
    ShippingMethod,
    ShippingMethodExclusion,
    ShippingRateBand,
    ShippingZone,
)
from backend.shipping.rules import Band

WHAT = "manage shipping"


@dataclass(frozen=True)
class MethodView:
    id: uuid.UUID
    code: str
    name: str
    delivery_time: str
    rate_basis: str
    flat_price: Decimal | None
    free_above: Decimal | None
    bands: tuple[Band, ...]
    excluded_categories: tuple[tuple[uuid.UUID, str], ...]  # (id, name)
    excluded_products: tuple[tuple[uuid.UUID, str], ...]
    is_active: bool


@dataclass(frozen=True)
class ZoneView:
    id: uuid.UUID
    name: str
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    postcode_prefixes: tuple[str, ...]
    taxes_shipping: bool
    methods: tuple[MethodView, ...]


async def list_zones(actor: Viewer) -> list[ZoneView]:
    """Every zone with all its methods (inactive ones too), oldest zone first."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    return await _zone_views()


async def get_zone(zone_id: uuid.UUID, *, actor: Viewer) -> ZoneView:
    require_permission(actor, Permission.SETTINGS, WHAT)
    found = await _zone_views(zone_id)
    if not found:
        raise NotFoundError("There is no such shipping zone.")
    return found[0]


async def get_method(method_id: uuid.UUID, *, actor: Viewer) -> MethodView:
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope() as session:
        method = await session.get(ShippingMethod, method_id)
    zones = await _zone_views(method.zone_id) if method is not None else []
    for view in zones[0].methods if zones else ():
        if view.id == method_id:
            return view
    raise NotFoundError("There is no such shipping method.")


async def _zone_views(zone_id: uuid.UUID | None = None) -> list[ZoneView]:
    """The zones (or the one `zone_id` names) with their methods, bands and exclusions."""
    zone_query = select(ShippingZone).order_by(col(ShippingZone.created_at), col(ShippingZone.name))
    method_query = select(ShippingMethod).order_by(
        col(ShippingMethod.position), col(ShippingMethod.name)
    )
    if zone_id is not None:
        zone_query = zone_query.where(col(ShippingZone.id) == zone_id)
        method_query = method_query.where(col(ShippingMethod.zone_id) == zone_id)
    async with session_scope() as session:
        zones = (await session.exec(zone_query)).all()
        methods = (await session.exec(method_query)).all()
        bands: dict[uuid.UUID, list[Band]] = defaultdict(list)
        for band in (await session.exec(select(ShippingRateBand))).all():
            bands[band.method_id].append(Band(band.up_to, band.price))
        categories: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
        for method_id, category_id, name in (
            await session.exec(
                select(ShippingMethodExclusion.method_id, Category.id, Category.name).join(
                    Category, col(Category.id) == col(ShippingMethodExclusion.category_id)
                )
            )
        ).all():
            categories[method_id].append((category_id, name))
        products: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
        for method_id, product_id, name in (
            await session.exec(
                select(ShippingMethodExclusion.method_id, Product.id, Product.name).join(
                    Product, col(Product.id) == col(ShippingMethodExclusion.product_id)
                )
            )
        ).all():
            products[method_id].append((product_id, name))
    by_zone: dict[uuid.UUID, list[MethodView]] = defaultdict(list)
    for method in methods:
        by_zone[method.zone_id].append(
            MethodView(
                id=method.id,
                code=method.code,
                name=method.name,
                delivery_time=method.delivery_time,
                rate_basis=method.rate_basis,
                flat_price=method.flat_price,
                free_above=method.free_above,
                bands=tuple(
                    sorted(bands[method.id], key=lambda b: (b.up_to is None, b.up_to or 0))
                ),
                excluded_categories=tuple(sorted(categories[method.id], key=lambda c: c[1])),
                excluded_products=tuple(sorted(products[method.id], key=lambda p: p[1])),
                is_active=method.is_active,
            )
        )
    return [
        ZoneView(
            id=zone.id,
            name=zone.name,
            countries=tuple(zone.countries),
            regions=tuple(zone.regions),
            postcode_prefixes=tuple(zone.postcode_prefixes),
            taxes_shipping=zone.taxes_shipping,
            methods=tuple(by_zone[zone.id]),
        )
        for zone in zones
    ]


def _zone_snapshot(zone: ShippingZone) -> dict[str, object]:
    return {
        "name": zone.name,
        "countries": list(zone.countries),
        "regions": list(zone.regions),
        "postcode_prefixes": list(zone.postcode_prefixes),
        "taxes_shipping": zone.taxes_shipping,
    }


async def save_zone(
    data: ZoneInput, *, actor: Viewer, zone_id: uuid.UUID | None = None
) -> uuid.UUID:
    """Create a zone, or change the one with `zone_id`. Raises InvalidInputError (a name
    in use) and NotFoundError."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    try:
        async with session_scope(then=quotes.forget_cached) as session:
            before = None
            if zone_id is None:
                zone = ShippingZone(name=data.name, countries=data.countries)
            else:
                found = await session.get(ShippingZone, zone_id, with_for_update=True)
                if found is None:
                    raise NotFoundError("There is no such shipping zone.")
                zone, before = found, _zone_snapshot(found)
            await _refuse_overlap(session, data, zone_id)
            zone.name = data.name
            zone.countries = list(data.countries)
            zone.regions = list(data.regions)
            zone.postcode_prefixes = list(data.postcode_prefixes)
            zone.taxes_shipping = data.taxes_shipping
            session.add(zone)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="shipping_zone.created" if before is None else "shipping_zone.updated",
                entity_type="shipping_zone",
                entity_id=zone.id,
                before=before,
                after=_zone_snapshot(zone),
            )
            return zone.id
    except IntegrityError as error:
        if "shipping_zones_name_key" in str(error):
            raise InvalidInputError(
                "Please correct the zone.", {"name": "Another zone has this name."}
            ) from None
        raise


def _level(regions: list[str], prefixes: list[str]) -> int:
    return 2 if prefixes else 1 if regions else 0


async def _refuse_overlap(
    session: AsyncSession, data: ZoneInput, zone_id: uuid.UUID | None
) -> None:
    """An address must find one zone: two zones may share a country only when one is
    narrower (regions, postcodes) than the other, or they name different regions or
    postcodes of it."""
    level = _level(data.regions, data.postcode_prefixes)
    for other in (await session.exec(select(ShippingZone))).all():
        if other.id == zone_id or _level(other.regions, other.postcode_prefixes) != level:
            continue
        shared = [country for country in data.countries if country in other.countries]
        if not shared:
            continue
        if level == 1 and not set(data.regions) & set(other.regions):
            continue
        if level == 2 and not any(
            mine.startswith(theirs) or theirs.startswith(mine)
            for mine in data.postcode_prefixes
            for theirs in other.postcode_prefixes
        ):
            continue
        raise InvalidInputError(
            "Please correct the zone.",
            {
                "countries": f"{', '.join(shared)} {'is' if len(shared) == 1 else 'are'} "
                f"already in zone “{other.name}”: remove it there first, or narrow this "
                "zone to regions or postcodes."
            },
        )


async def delete_zone(zone_id: uuid.UUID, *, actor: Viewer) -> None:
    """A zone and its methods go; orders placed with them keep what they were charged."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope(then=quotes.forget_cached) as session:
        zone = await session.get(ShippingZone, zone_id, with_for_update=True)
        if zone is None:
            raise NotFoundError("There is no such shipping zone.")
        await audit.delete_recorded(
            session,
            zone,
            actor=actor,
            entity_type="shipping_zone",
            entity_id=zone_id,
            before=_zone_snapshot(zone),
        )


def _method_snapshot(method: ShippingMethod, data: MethodInput | None = None) -> dict[str, object]:
    snapshot: dict[str, object] = {
        "code": method.code,
        "name": method.name,
        "delivery_time": method.delivery_time,
        "rate_basis": method.rate_basis,
        "flat_price": method.flat_price,
        "free_above": method.free_above,
        "active": method.is_active,
    }
    if data is not None:
        snapshot["bands"] = [[band.up_to, band.price] for band in data.bands]
        snapshot["excluded_categories"] = [str(i) for i in data.excluded_category_ids]
        snapshot["excluded_products"] = [str(i) for i in data.excluded_product_ids]
    return snapshot


async def _replace_details(session: AsyncSession, method_id: uuid.UUID, data: MethodInput) -> None:
    await session.exec(delete(ShippingRateBand).where(col(ShippingRateBand.method_id) == method_id))
    await session.exec(
        delete(ShippingMethodExclusion).where(col(ShippingMethodExclusion.method_id) == method_id)
    )
    for band in data.bands:
        session.add(ShippingRateBand(method_id=method_id, up_to=band.up_to, price=band.price))
    for category_id in dict.fromkeys(data.excluded_category_ids):
        session.add(ShippingMethodExclusion(method_id=method_id, category_id=category_id))
    for product_id in dict.fromkeys(data.excluded_product_ids):
        session.add(ShippingMethodExclusion(method_id=method_id, product_id=product_id))


async def save_method(
    data: MethodInput,
    *,
    actor: Viewer,
    zone_id: uuid.UUID | None = None,
    method_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Add a method to the zone `zone_id`, or change the method `method_id` (its bands
    and exclusions are replaced by the ones given). Raises InvalidInputError (a code the
    zone has already, an unknown category or product) and NotFoundError."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    try:
        async with session_scope(then=quotes.forget_cached) as session:
            before = None
            if method_id is not None:
                method = await session.get(ShippingMethod, method_id, with_for_update=True)
                if method is None:
                    raise NotFoundError("There is no such shipping method.")
                before = _method_snapshot(method)
            else:
                if zone_id is None or await session.get(ShippingZone, zone_id) is None:
                    raise NotFoundError("There is no such shipping zone.")
                count = len(
                    (
                        await session.exec(
                            select(ShippingMethod.id).where(ShippingMethod.zone_id == zone_id)
                        )
                    ).all()
                )
                method = ShippingMethod(
                    zone_id=zone_id, code=data.code, name=data.name, position=count
                )
            method.code, method.name, method.delivery_time = (
                data.code,
                data.name,
                data.delivery_time,
            )
            method.rate_basis, method.flat_price = data.rate_basis, data.flat_price
            method.free_above, method.is_active = data.free_above, data.is_active
            session.add(method)
            await session.flush()
            await _replace_details(session, method.id, data)
            await session.flush()
            audit.record(
                session,
                actor=actor,
                action="shipping_method.created" if before is None else "shipping_method.updated",
                entity_type="shipping_method",
                entity_id=method.id,
                before=before,
                after=_method_snapshot(method, data),
            )
            return method.id
    except IntegrityError as error:
        text = str(error)
        if "shipping_methods_zone_code_key" in text:
            raise InvalidInputError(
                "Please correct the method.", {"code": "This zone has a method with this code."}
            ) from None
        if "category_id_fkey" in text or "product_id_fkey" in text:
            raise InvalidInputError(
                "Please correct the method.",
                {"excluded_category_ids": "A chosen category or product no longer exists."},
            ) from None
        raise


async def delete_method(method_id: uuid.UUID, *, actor: Viewer) -> None:
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope(then=quotes.forget_cached) as session:
        method = await session.get(ShippingMethod, method_id, with_for_update=True)
        if method is None:
            raise NotFoundError("There is no such shipping method.")
        await audit.delete_recorded(
            session,
            method,
            actor=actor,
            entity_type="shipping_method",
            entity_id=method_id,
            before=_method_snapshot(method),
        )


async def set_method_active(method_id: uuid.UUID, *, active: bool, actor: Viewer) -> None:
    """Offer a method at checkout again, or stop offering it (it stays configured)."""
    require_permission(actor, Permission.SETTINGS, WHAT)
    async with session_scope(then=quotes.forget_cached) as session:
        method = await session.get(ShippingMethod, method_id, with_for_update=True)
        if method is None:
            raise NotFoundError("There is no such shipping method.")
        before = method.is_active
        method.is_active = active
        session.add(method)
        audit.record(
            session,
            actor=actor,
            action="shipping_method.updated",
            entity_type="shipping_method",
            entity_id=method_id,
            before={"active": before},
            after={"active": active},
        )
