"""Stock locations: the warehouses and stores that hold stock, and the stock each holds.

Orders take stock from the locations that sell online, in `priority` order (1 first): a
location that cannot fill a line gives what it has and the next gives the rest (the
order then ships from both). Storefront availability is their sum. Staff name the
locations, say whether each sells online and in which order they are drawn from; a
location is never deleted (its history stays), it can stop selling online.

The row-level work (`take_online`, `put_back`, `change_at`) runs in the caller's
transaction after the products' row locks (`locks.py`), so every writer of a variant's
stock locks in the same order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache as catalog_cache
from backend.catalog.models import ProductVariant
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.events.outbox import record_event
from backend.inventory.events import InventoryUpdated
from backend.inventory.locks import lock_products_of_variants
from backend.inventory.models import (
    MAX_LOCATION_NAME,
    LocationStock,
    StockAllocation,
    StockLocation,
)

MAX_ADDRESS_PART = 120
ADDRESS_PARTS = ("line1", "city", "postal_code", "country")


@dataclass(frozen=True)
class AtLocation:
    """One location's part of a stock change."""

    location_id: uuid.UUID
    change: int
    quantity_after: int
    sells_online: bool


@dataclass(frozen=True)
class LocationRecord:
    id: uuid.UUID
    name: str
    address: dict[str, str]
    sells_online: bool
    priority: int
    units: int  # all stock held there

    @property
    def address_line(self) -> str:
        return ", ".join(self.address[part] for part in ADDRESS_PARTS if self.address.get(part))


@dataclass(frozen=True)
class LocationInput:
    name: str
    address: dict[str, str]
    sells_online: bool
    priority: int


def _ordered() -> tuple[Any, ...]:
    return (col(StockLocation.priority), col(StockLocation.created_at), col(StockLocation.id))


async def first_online_location(session: AsyncSession) -> StockLocation:
    """Where new stock goes when nobody says where: the first location that sells online."""
    found = (
        await session.exec(
            select(StockLocation).where(col(StockLocation.sells_online)).order_by(*_ordered())
        )
    ).first()
    if found is None:  # the service refuses to switch the last one off
        raise RuntimeError("no stock location sells online")
    return found


async def location_named(session: AsyncSession, location_id: uuid.UUID | None) -> StockLocation:
    """The location asked for (NotFoundError for an unknown one), or the first online."""
    if location_id is None:
        return await first_online_location(session)
    found = await session.get(StockLocation, location_id)
    if found is None:
        raise NotFoundError("There is no such stock location.")
    return found


async def change_at(
    session: AsyncSession, location: StockLocation, variant_id: uuid.UUID, by: int
) -> AtLocation | None:
    """Move the location's stock of a variant `by` a quantity (never below zero; None
    when it would be)."""
    if by >= 0:
        statement: Any = (
            insert(LocationStock)
            .values(location_id=location.id, variant_id=variant_id, quantity=by)
            .on_conflict_do_update(
                index_elements=["location_id", "variant_id"],
                set_={"quantity": LocationStock.quantity + by},
            )
            .returning(col(LocationStock.quantity))
        )
    else:
        statement = (
            update(LocationStock)
            .where(
                col(LocationStock.location_id) == location.id,
                col(LocationStock.variant_id) == variant_id,
                col(LocationStock.quantity) + by >= 0,
            )
            .values(quantity=LocationStock.quantity + by)
            .returning(col(LocationStock.quantity))
        )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    return AtLocation(location.id, by, row[0], location.sells_online)


async def allocate(
    session: AsyncSession,
    order_id: uuid.UUID,
    variant_id: uuid.UUID,
    location_id: uuid.UUID,
    by: int,
) -> None:
    await session.exec(
        insert(StockAllocation)
        .values(
            id=uuid.uuid4(),
            order_id=order_id,
            variant_id=variant_id,
            location_id=location_id,
            quantity=by,
        )
        .on_conflict_do_update(
            index_elements=["order_id", "variant_id", "location_id"],
            set_={"quantity": StockAllocation.quantity + by},
        )
    )


async def take_online(
    session: AsyncSession, order_id: uuid.UUID, variant_id: uuid.UUID, quantity: int
) -> list[AtLocation]:
    """Take `quantity` of a variant for an order from the locations that sell online, in
    priority order, allocating it to the order. The variant's online stock was already
    taken under its row lock, so the locations hold enough (or the invariant is broken,
    and the transaction must not go on)."""
    rows = (
        await session.exec(
            select(LocationStock, StockLocation)
            .join(StockLocation, col(StockLocation.id) == col(LocationStock.location_id))
            .where(
                col(LocationStock.variant_id) == variant_id,
                col(StockLocation.sells_online),
                col(LocationStock.quantity) > 0,
            )
            .order_by(*_ordered())
            .with_for_update(of=LocationStock)
        )
    ).all()
    parts: list[AtLocation] = []
    left = quantity
    for stock, location in rows:
        if left == 0:
            break
        taken = min(stock.quantity, left)
        part = await change_at(session, location, variant_id, -taken)
        assert part is not None  # locked above with at least `taken`
        await allocate(session, order_id, variant_id, location.id, taken)
        parts.append(part)
        left -= taken
    if left:
        msg = f"locations hold {quantity - left} of variant {variant_id}, not {quantity}"
        raise RuntimeError(msg)
    return parts


async def put_back(
    session: AsyncSession, order_id: uuid.UUID, variant_id: uuid.UUID, quantity: int
) -> list[AtLocation]:
    """Give `quantity` of an order's variant back to the locations it was taken from
    (the last taken first); what the order holds from nowhere (taken before locations
    existed) goes to the first location that sells online."""
    allocations = (
        await session.exec(
            select(StockAllocation, StockLocation)
            .join(StockLocation, col(StockLocation.id) == col(StockAllocation.location_id))
            .where(
                col(StockAllocation.order_id) == order_id,
                col(StockAllocation.variant_id) == variant_id,
                col(StockAllocation.quantity) > 0,
            )
            .order_by(
                col(StockLocation.priority).desc(),
                col(StockLocation.created_at).desc(),
                col(StockLocation.id).desc(),
            )
            .with_for_update(of=StockAllocation)
        )
    ).all()
    parts: list[AtLocation] = []
    left = quantity
    for allocation, location in allocations:
        if left == 0:
            break
        given = min(allocation.quantity, left)
        allocation.quantity -= given
        session.add(allocation)
        part = await change_at(session, location, variant_id, given)
        assert part is not None
        parts.append(part)
        left -= given
    if left:
        part = await change_at(session, await first_online_location(session), variant_id, left)
        assert part is not None
        parts.append(part)
    return parts


async def held_elsewhere_locked(
    session: AsyncSession, order_id: uuid.UUID, location_id: uuid.UUID
) -> list[tuple[StockAllocation, StockLocation]]:
    """The order's allocations at other locations than this one, locked."""
    return list(
        (
            await session.exec(
                select(StockAllocation, StockLocation)
                .join(StockLocation, col(StockLocation.id) == col(StockAllocation.location_id))
                .where(
                    col(StockAllocation.order_id) == order_id,
                    col(StockAllocation.location_id) != location_id,
                    col(StockAllocation.quantity) > 0,
                )
                .order_by(col(StockAllocation.variant_id), *_ordered())
                .with_for_update(of=StockAllocation)
            )
        ).all()
    )


async def locations_holding(
    session: AsyncSession, order_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    """The locations an order's goods are held at (id, name), in priority order."""
    rows = (
        await session.exec(
            select(StockLocation.id, StockLocation.name)
            .join(StockAllocation, col(StockAllocation.location_id) == col(StockLocation.id))
            .where(col(StockAllocation.order_id) == order_id, col(StockAllocation.quantity) > 0)
            .group_by(col(StockLocation.id))
            .order_by(*_ordered())
        )
    ).all()
    return [(location_id, name) for location_id, name in rows]


@dataclass(frozen=True)
class LocationChoice:
    id: uuid.UUID
    name: str


async def location_choices(*, actor: Viewer) -> list[LocationChoice]:
    """Every location, in priority order, for staff shipping an order from one."""
    require_permission(actor, Permission.ORDERS_FULFIL, "choose where orders ship from")
    async with session_scope() as session:
        rows = (await session.exec(select(StockLocation).order_by(*_ordered()))).all()
    return [LocationChoice(row.id, row.name) for row in rows]


async def stock_by_location(
    session: AsyncSession, variant_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
    """Variant id → {location id: quantity} (locations without any: missing)."""
    rows = (
        await session.exec(
            select(LocationStock).where(
                col(LocationStock.variant_id).in_(variant_ids), col(LocationStock.quantity) > 0
            )
        )
    ).all()
    found: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
    for row in rows:
        found.setdefault(row.variant_id, {})[row.location_id] = row.quantity
    return found


@dataclass(frozen=True)
class AllocationRecord:
    location_id: uuid.UUID
    location: str
    variant_id: uuid.UUID
    sku: str
    quantity: int


async def allocations_of(order_id: uuid.UUID) -> list[AllocationRecord]:
    """Where an order's goods are held (what it ships from): location, variant and
    quantity, by the locations' priority. For staff pages that checked the viewer may see
    the order."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(StockAllocation, StockLocation.name, ProductVariant.sku)
                .join(StockLocation, col(StockLocation.id) == col(StockAllocation.location_id))
                .join(ProductVariant, col(ProductVariant.id) == col(StockAllocation.variant_id))
                .where(col(StockAllocation.order_id) == order_id, col(StockAllocation.quantity) > 0)
                .order_by(*_ordered(), col(ProductVariant.sku))
            )
        ).all()
    return [
        AllocationRecord(row.location_id, name, row.variant_id, sku, row.quantity)
        for row, name, sku in rows
    ]


# Staff manage locations.


async def list_locations(*, actor: Viewer) -> list[LocationRecord]:
    require_permission(actor, Permission.INVENTORY, "see stock locations")
    async with session_scope() as session:
        units = (
            select(LocationStock.location_id, func.sum(LocationStock.quantity).label("units"))
            .group_by(col(LocationStock.location_id))
            .subquery()
        )
        rows = (
            await session.exec(
                select(StockLocation, units.c.units)
                .join(units, units.c.location_id == StockLocation.id, isouter=True)
                .order_by(*_ordered())
            )
        ).all()
    return [
        LocationRecord(
            id=location.id,
            name=location.name,
            address={k: str(v) for k, v in location.address.items()},
            sells_online=location.sells_online,
            priority=location.priority,
            units=int(total or 0),
        )
        for location, total in rows
    ]


def parse_location(data: Mapping[str, object]) -> LocationInput:
    """A location as staff typed it, checked (InvalidInputError names each problem)."""
    problems: dict[str, str] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name or len(name) > MAX_LOCATION_NAME:
        problems["name"] = f"Name the location (up to {MAX_LOCATION_NAME} characters)."
    address = {}
    for part in ADDRESS_PARTS:
        value = " ".join(str(data.get(part) or "").split())
        if len(value) > MAX_ADDRESS_PART:
            problems[part] = f"At most {MAX_ADDRESS_PART} characters."
        elif value:
            address[part] = value
    raw_priority = str(data.get("priority") or "").strip()
    priority = int(raw_priority) if raw_priority.isdigit() else 0
    if not 1 <= priority <= 1000:
        problems["priority"] = "A whole number from 1 (drawn from first) to 1000."
    if problems:
        raise InvalidInputError("Please correct the location.", problems)
    sells_online = data.get("sells_online") in (True, "on", "true")
    return LocationInput(name, address, sells_online, priority)


async def _name_taken(session: AsyncSession, name: str, other_than: uuid.UUID | None) -> bool:
    found = (
        await session.exec(
            select(StockLocation.id).where(func.lower(StockLocation.name) == name.lower())
        )
    ).first()
    return found is not None and found != other_than


async def create_location(data: Mapping[str, object], *, actor: Viewer) -> uuid.UUID:
    require_permission(actor, Permission.INVENTORY, "add stock locations")
    wanted = parse_location(data)
    async with session_scope() as session:
        if await _name_taken(session, wanted.name, None):
            raise InvalidInputError(
                "Please correct the location.", {"name": "Another location has this name."}
            )
        location = StockLocation(
            name=wanted.name,
            address=wanted.address,
            sells_online=wanted.sells_online,
            priority=wanted.priority,
        )
        session.add(location)
        await session.flush()
        audit.record(
            session,
            actor=actor,
            action="stock_location.created",
            entity_type="stock_location",
            entity_id=str(location.id),
            after={"name": wanted.name, "sells_online": wanted.sells_online},
        )
        return location.id


async def update_location(
    location_id: uuid.UUID, data: Mapping[str, object], *, actor: Viewer
) -> None:
    """Rename, move, reorder or switch a location's online selling. Switching it changes
    what the storefront sells of everything it holds, at once."""
    require_permission(actor, Permission.INVENTORY, "change stock locations")
    wanted = parse_location(data)
    async with session_scope() as session:
        location = (
            await session.exec(
                select(StockLocation).where(StockLocation.id == location_id).with_for_update()
            )
        ).first()
        if location is None:
            raise NotFoundError("There is no such stock location.")
        if await _name_taken(session, wanted.name, location.id):
            raise InvalidInputError(
                "Please correct the location.", {"name": "Another location has this name."}
            )
        switched = wanted.sells_online != location.sells_online
        if switched and not wanted.sells_online:
            others = (
                await session.exec(
                    select(func.count())
                    .select_from(StockLocation)
                    .where(col(StockLocation.sells_online), StockLocation.id != location.id)
                )
            ).one()
            if not others:
                raise InvalidInputError(
                    "Please correct the location.",
                    {"sells_online": "At least one location must sell online."},
                )
        before = {"name": location.name, "sells_online": location.sells_online}
        location.name, location.address = wanted.name, wanted.address
        location.sells_online, location.priority = wanted.sells_online, wanted.priority
        session.add(location)
        if switched:
            await _resum_online_stock(session, location, selling=wanted.sells_online)
        audit.record(
            session,
            actor=actor,
            action="stock_location.updated",
            entity_type="stock_location",
            entity_id=str(location.id),
            before=before,
            after={"name": wanted.name, "sells_online": wanted.sells_online},
        )
    if switched:
        await catalog_cache.invalidate_after_commit()


async def _resum_online_stock(
    session: AsyncSession, location: StockLocation, *, selling: bool
) -> None:
    """The location's stock joins (or leaves) what the storefront sells."""
    held = (
        await session.exec(
            select(LocationStock.variant_id, LocationStock.quantity).where(
                LocationStock.location_id == location.id, col(LocationStock.quantity) > 0
            )
        )
    ).all()
    if not held:
        return
    await lock_products_of_variants(session, [variant_id for variant_id, _ in held])
    sign = 1 if selling else -1
    reason = "location_online" if selling else "location_offline"
    for variant_id, quantity in held:
        product_id, sku, after = (
            await session.exec(
                update(ProductVariant)
                .where(col(ProductVariant.id) == variant_id)
                .values(stock_quantity=ProductVariant.stock_quantity + sign * quantity)
                .returning(
                    col(ProductVariant.product_id),
                    col(ProductVariant.sku),
                    col(ProductVariant.stock_quantity),
                )
            )
        ).one()
        # Search, caches and open pages follow what is sold (the ledger: nothing moved).
        await record_event(
            session,
            InventoryUpdated(
                aggregate_id=str(product_id),
                variant_id=str(variant_id),
                sku=sku,
                quantity=after,
                change=sign * quantity,
                reason=reason,
            ),
        )


@dataclass(frozen=True)
class HeldAt:
    location_id: uuid.UUID
    location: str
    sells_online: bool
    quantity: int


async def variant_stock(variant_id: uuid.UUID, *, actor: Viewer) -> list[HeldAt]:
    """A variant's stock at every location (none held: 0), in priority order.
    NotFoundError for an unknown variant."""
    require_permission(actor, Permission.INVENTORY, "see stock")
    async with session_scope() as session:
        if await session.get(ProductVariant, variant_id) is None:
            raise NotFoundError("There is no such product variant.")
        rows = (
            await session.exec(
                select(StockLocation, LocationStock.quantity)
                .join(
                    LocationStock,
                    (col(LocationStock.location_id) == col(StockLocation.id))
                    & (col(LocationStock.variant_id) == variant_id),
                    isouter=True,
                )
                .order_by(*_ordered())
            )
        ).all()
    return [
        HeldAt(location.id, location.name, location.sells_online, int(quantity or 0))
        for location, quantity in rows
    ]
