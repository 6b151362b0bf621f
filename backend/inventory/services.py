"""Stock changes: reserving for an order, returning a cancelled or returned order's
stock, staff adjustments and transfers between locations, a count set by the CSV import.
Inventory owns stock, which is kept per variant and location (`locations.py`); what the
storefront sells of a variant (`product_variants.stock_quantity`; the product row's stock
is their sum, kept by the database) is the sum over the locations that sell online, kept
here with every change: no other domain writes it (a new variant's first count aside, set
when the catalog creates it and put at the first location by the database). Every change
ends in `_record_change`, the one place that writes the ledger rows (`stock_movements`,
one per location), records `InventoryUpdated` and applies the low-stock rule (`LowStock`
when the stock falls to or below the variant's threshold).

Reserving locks the order's products first, in id order, then takes each variant's
quantity with one conditional UPDATE (`stock_quantity >= wanted`) in variant-id order:
every writer of variants locks the product row first (the catalog's editor too), so two
writers never wait on each other in a circle, and stock never goes below zero (the CHECK
constraint agrees). Two shoppers buying different sizes of one product wait for each
other only for the length of one order's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import User
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache as catalog_cache
from backend.catalog.models import ProductVariant
from backend.catalog.schemas import VariantSummary, options_title, stock_change_shown
from backend.catalog.variant_queries import get_variant_summaries, product_stock
from backend.core.db import session_scope
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.core.pagination import Page, clamp_page
from backend.events.outbox import record_event
from backend.inventory import locations
from backend.inventory.events import InventoryUpdated, LowStock
from backend.inventory.locks import lock_products_of_variants, lock_variant_stock_for_update
from backend.inventory.models import StockLocation, StockMovement


class OutOfStockError(DomainError):
    """Not enough stock for a line; `data` names the variant and what is left."""

    code = "sold_out"


@dataclass(frozen=True)
class ReservedLine:
    variant_id: uuid.UUID
    product_id: uuid.UUID
    name: str  # the product's
    sku: str  # the variant's
    options: tuple[tuple[str, str], ...]  # (option name, value), in option order
    unit_price: Decimal  # the variant's price in the database at the moment of reservation
    currency: str
    quantity: int
    stock_after: int
    low_stock_threshold: int


async def reserve(session: AsyncSession, wanted: dict[uuid.UUID, int]) -> list[ReservedLine]:
    """Take `wanted` (variant id → quantity) out of stock for an order, all or nothing
    (the caller's transaction rolls back on OutOfStockError). Once the order row exists,
    `record_reservation` writes the ledger."""
    await lock_products_of_variants(session, list(wanted))
    described = await get_variant_summaries(list(wanted), session=session)
    reserved = []
    for variant_id in sorted(wanted):
        quantity = wanted[variant_id]
        variant = described.get(variant_id)
        row = (
            await session.exec(
                update(ProductVariant)
                .where(
                    col(ProductVariant.id) == variant_id,
                    col(ProductVariant.is_active),
                    col(ProductVariant.stock_quantity) >= quantity,
                )
                .values(stock_quantity=ProductVariant.stock_quantity - quantity)
                .returning(
                    col(ProductVariant.price),
                    col(ProductVariant.stock_quantity),
                    col(ProductVariant.low_stock_threshold),
                )
            )
        ).first()
        if row is None or variant is None or not variant.is_active:
            _refuse(variant, variant_id, quantity)
        price, stock_after, threshold = row
        reserved.append(
            ReservedLine(
                variant_id=variant_id,
                product_id=variant.product_id,
                name=variant.name,
                sku=variant.sku,
                options=variant.options,
                unit_price=price,
                currency=variant.currency,
                quantity=quantity,
                stock_after=stock_after,
                low_stock_threshold=threshold,
            )
        )
    return reserved


async def record_reservation(
    session: AsyncSession,
    reserved: list[ReservedLine],
    *,
    order_id: uuid.UUID,
    reason: str = "order_placed",
) -> bool:
    """Once the order row exists: take what `reserve` took from the locations that sell
    online, in priority order, allocating it to the order, and write the ledger. True when
    shoppers can see the difference (`stock_change_shown`) on any of the products."""
    shown = False
    for line in reserved:
        parts = await locations.take_online(session, order_id, line.variant_id, line.quantity)
        shown |= await _record_change(
            session,
            _Changed(
                line.variant_id,
                line.product_id,
                line.sku,
                line.name,
                line.options,
                line.stock_after,
                line.low_stock_threshold,
            ),
            parts=parts,
            reason=reason,
            order_id=order_id,
        )
    return shown


def _refuse(variant: VariantSummary | None, variant_id: uuid.UUID, quantity: int) -> NoReturn:
    if variant is None or not variant.is_active:
        raise OutOfStockError("A product in your cart is no longer sold.", variant_id=variant_id)
    name, left = variant.display_name, variant.stock_quantity
    if left <= 0:
        raise OutOfStockError(f"Sorry, {name} just sold out.", variant_id=variant_id, left=0)
    raise OutOfStockError(
        f"Sorry, only {left} of {name} left (you asked for {quantity}).",
        variant_id=variant_id,
        left=left,
    )


async def release(
    session: AsyncSession,
    returned: dict[uuid.UUID, int],
    *,
    order_id: uuid.UUID,
    reason: str,
) -> None:
    """Put an order's quantities (variant id → quantity) back into stock at the locations
    they were taken from (a cancellation, an edit, a returned parcel restocked; variants
    deleted since are skipped), locking like `reserve`."""
    await lock_products_of_variants(session, list(returned))
    for variant_id in sorted(returned):
        if await lock_variant_stock_for_update(session, variant_id) is None:
            continue
        parts = await locations.put_back(session, order_id, variant_id, returned[variant_id])
        await _apply(session, variant_id, parts, reason=reason, order_id=order_id)


async def _apply(
    session: AsyncSession,
    variant_id: uuid.UUID,
    parts: list[locations.AtLocation],
    *,
    reason: str,
    order_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> _Changed:
    """The variant's online stock follows what its locations that sell online gained or
    lost; then the change is recorded."""
    online = sum(part.change for part in parts if part.sells_online)
    changed = await _change_stock(session, variant_id, by=online)
    assert changed is not None  # the locations held it, so the variant did
    await _record_change(
        session,
        changed,
        parts=parts,
        reason=reason,
        order_id=order_id,
        actor_id=actor_id,
        note=note,
    )
    return changed


@dataclass(frozen=True)
class _Changed:
    """What `_record_change` needs of a variant after its stock changed."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    options: tuple[tuple[str, str], ...]
    stock_after: int
    low_stock_threshold: int


async def _change_stock(
    session: AsyncSession, variant_id: uuid.UUID, *, by: int | None = None, to: int | None = None
) -> _Changed | None:
    """Move a variant's stock `by` a quantity or set it `to` one (never below zero); the
    variant as it is after, or None when there is no such variant (or it would go below
    zero)."""
    new_stock: Any = ProductVariant.stock_quantity + by if by is not None else to
    statement = update(ProductVariant).where(col(ProductVariant.id) == variant_id)
    if by is not None and by < 0:
        statement = statement.where(col(ProductVariant.stock_quantity) + by >= 0)
    row = (
        await session.exec(
            statement.values(stock_quantity=new_stock).returning(col(ProductVariant.stock_quantity))
        )
    ).first()
    if row is None:
        return None
    variant = (await get_variant_summaries([variant_id], session=session))[variant_id]
    return _Changed(
        variant_id,
        variant.product_id,
        variant.sku,
        variant.name,
        variant.options,
        row[0],
        variant.low_stock_threshold,
    )


async def _record_change(
    session: AsyncSession,
    variant: _Changed,
    *,
    parts: list[locations.AtLocation],
    reason: str,
    order_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> bool:
    """The one place a stock change is recorded: a ledger row per location it touched,
    then, when what is sold online changed, `InventoryUpdated`, and `LowStock` when this
    change took it to or below the threshold. True when shoppers can see the change
    (`stock_change_shown`, of the variant or of its product's sum)."""
    # Core, in one statement: needs no ORM mapping of the ledger's foreign keys (orders,
    # users) in processes that never load those domains.
    for part in parts:
        await session.exec(
            insert(StockMovement).values(
                product_id=variant.product_id,
                variant_id=variant.variant_id,
                location_id=part.location_id,
                change=part.change,
                quantity_after=part.quantity_after,
                reason=reason,
                order_id=order_id,
                actor_id=actor_id,
                note=note,
            )
        )
    change = sum(part.change for part in parts if part.sells_online)
    if change == 0:
        return False
    shown = await _shoppers_see(session, variant, change)
    # The product is the aggregate (search, caches and integrations follow products);
    # the variant is named in the event.
    await record_event(
        session,
        InventoryUpdated(
            aggregate_id=str(variant.product_id),
            variant_id=str(variant.variant_id),
            sku=variant.sku,
            quantity=variant.stock_after,
            change=change,
            reason=reason,
            shown=shown,
        ),
    )
    threshold = variant.low_stock_threshold
    if variant.stock_after <= threshold < variant.stock_after - change:
        title = options_title(variant.options)
        await record_event(
            session,
            LowStock(
                aggregate_id=str(variant.product_id),
                variant_id=str(variant.variant_id),
                sku=variant.sku,
                product_name=f"{variant.name} ({title})" if title else variant.name,
                quantity=variant.stock_after,
                threshold=threshold,
            ),
        )
    return shown


async def _shoppers_see(session: AsyncSession, variant: _Changed, change: int) -> bool:
    """Whether a change of `change` units leaves something a shopper would notice: on the
    variant, else on its product (the sum, under the product's own threshold)."""
    before = variant.stock_after - change
    if stock_change_shown(before, variant.stock_after, variant.low_stock_threshold):
        return True
    product_after, product_threshold = await product_stock(session, variant.product_id)
    return stock_change_shown(product_after - change, product_after, product_threshold)


async def set_stock(
    session: AsyncSession,
    variant_id: uuid.UUID,
    *,
    quantity: int,
    reason: str,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> bool:
    """Set what a variant sells online to a counted `quantity` (the CSV import) in the
    caller's transaction: the difference is made at the first location that sells online
    and recorded like any change. False when there is no such variant; a count equal to
    the stock records nothing. InvalidInputError when the count is below what the other
    online locations hold (their stock is counted there)."""
    await lock_products_of_variants(session, [variant_id])
    before = await lock_variant_stock_for_update(session, variant_id)
    if before is None:
        return False
    if before != quantity:
        first = await locations.first_online_location(session)
        part = await locations.change_at(session, first, variant_id, quantity - before)
        if part is None:
            raise InvalidInputError(
                f"A count of {quantity} is below what other locations hold of this variant; "
                f"change their stock first (Admin → Inventory)."
            )
        await _apply(session, variant_id, [part], reason=reason, actor_id=actor_id, note=note)
    return True


ADJUSTMENT_REASONS = {
    "restock": "Restock",
    "correction": "Stock count correction",
    "damaged": "Damaged or lost",
    "returned": "Returned by a customer",
}
MAX_ADJUSTMENT = 100_000


async def adjust_stock(
    variant_id: uuid.UUID,
    *,
    change: int,
    reason: str,
    note: str = "",
    actor: Viewer,
    location_id: uuid.UUID | None = None,
) -> int:
    """Staff change a variant's stock at a location (None: the first that sells online)
    by `change` (never below zero), with a reason; the ledger, the audit log and
    `InventoryUpdated` record it. Returns the location's new quantity. (A product
    without options has one variant, under the product's own id.)"""
    require_permission(actor, Permission.INVENTORY, "adjust stock")
    problems: dict[str, str] = {}
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        problems["change"] = "Enter how many to add (e.g. 12) or remove (e.g. -3)."
    elif abs(change) > MAX_ADJUSTMENT:
        problems["change"] = f"At most {MAX_ADJUSTMENT:,} at a time."
    if reason not in ADJUSTMENT_REASONS:
        problems["reason"] = "Choose a reason."
    if problems:
        raise InvalidInputError("Please correct the adjustment.", problems)
    note = note.strip()[:500]
    async with session_scope() as session:
        location = await locations.location_named(session, location_id)
        await lock_products_of_variants(session, [variant_id])
        if await lock_variant_stock_for_update(session, variant_id) is None:
            raise NotFoundError("There is no such product.")
        part = await locations.change_at(session, location, variant_id, change)
        if part is None:
            held = (await locations.stock_by_location(session, [variant_id])).get(variant_id, {})
            left = held.get(location.id, 0)
            raise InvalidInputError(
                "Stock cannot go below zero.",
                {"change": f"Only {left} at {location.name}: remove at most that many."},
            )
        changed = await _apply(
            session,
            variant_id,
            [part],
            reason=reason,
            actor_id=actor.user_id,
            note=note or None,
        )
        audit.record(
            session,
            actor=actor,
            action="stock.adjusted",
            entity_type="stock",
            entity_id=changed.sku,
            before={"stock": part.quantity_after - change, "location": location.name},
            after={
                "stock": part.quantity_after,
                "location": location.name,
                "reason": reason,
                "note": note,
            },
        )
    await catalog_cache.invalidate_after_commit()
    return part.quantity_after


async def ship_order_from(
    session: AsyncSession, order_id: uuid.UUID, location_id: uuid.UUID
) -> None:
    """Before an order ships from one location, in the caller's transaction (the order
    locked): what it holds elsewhere moves there. That location must hold it
    (InvalidInputError names the first variant it lacks); the units held elsewhere go back
    on sale there. The ledgers say `reallocated`."""
    location = await locations.location_named(session, location_id)
    elsewhere = await locations.held_elsewhere_locked(session, order_id, location.id)
    variant_ids = sorted({allocation.variant_id for allocation, _ in elsewhere})
    await lock_products_of_variants(session, variant_ids)
    summaries = await get_variant_summaries(variant_ids, session=session)
    for variant_id in variant_ids:
        await lock_variant_stock_for_update(session, variant_id)
        parts: list[locations.AtLocation] = []
        for allocation, source in elsewhere:
            if allocation.variant_id != variant_id:
                continue
            quantity = allocation.quantity
            taken = await locations.change_at(session, location, variant_id, -quantity)
            if taken is None:
                summary = summaries.get(variant_id)
                name = summary.display_name if summary else "an item"
                message = f"{location.name} does not hold {quantity} of {name}."
                raise InvalidInputError(message, {"ship_from": message})
            back = await locations.change_at(session, source, variant_id, quantity)
            assert back is not None
            allocation.quantity = 0
            session.add(allocation)
            await locations.allocate(session, order_id, variant_id, location.id, quantity)
            parts += [taken, back]
        await _apply(session, variant_id, parts, reason="reallocated", order_id=order_id)


MAX_TRANSFER = 100_000


async def transfer_stock(
    variant_id: uuid.UUID,
    *,
    from_location: uuid.UUID,
    to_location: uuid.UUID,
    quantity: int,
    note: str = "",
    actor: Viewer,
) -> None:
    """Staff move `quantity` of a variant from one location to another: both ledgers
    record it (`transfer`), in one transaction; what the storefront sells changes only
    when one of them sells online and the other does not."""
    require_permission(actor, Permission.INVENTORY, "move stock")
    problems: dict[str, str] = {}
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        problems["quantity"] = "Enter how many to move (e.g. 5)."
    elif quantity > MAX_TRANSFER:
        problems["quantity"] = f"At most {MAX_TRANSFER:,} at a time."
    if from_location == to_location:
        problems["to_location"] = "Choose another location to move the stock to."
    if problems:
        raise InvalidInputError("Please correct the transfer.", problems)
    note = note.strip()[:500]
    async with session_scope() as session:
        source = await locations.location_named(session, from_location)
        target = await locations.location_named(session, to_location)
        await lock_products_of_variants(session, [variant_id])
        if await lock_variant_stock_for_update(session, variant_id) is None:
            raise NotFoundError("There is no such product.")
        taken = await locations.change_at(session, source, variant_id, -quantity)
        if taken is None:
            held = (await locations.stock_by_location(session, [variant_id])).get(variant_id, {})
            raise InvalidInputError(
                "Please correct the transfer.",
                {"quantity": f"Only {held.get(source.id, 0)} at {source.name}."},
            )
        given = await locations.change_at(session, target, variant_id, quantity)
        assert given is not None
        changed = await _apply(
            session,
            variant_id,
            [taken, given],
            reason="transfer",
            actor_id=actor.user_id,
            note=note or None,  # its two rows name both locations
        )
        audit.record(
            session,
            actor=actor,
            action="stock.transferred",
            entity_type="stock",
            entity_id=changed.sku,
            after={"from": source.name, "to": target.name, "quantity": quantity, "note": note},
        )
    await catalog_cache.invalidate_after_commit()


@dataclass(frozen=True)
class MovementRecord:
    at: datetime
    variant_id: uuid.UUID
    variant_title: str  # "M / Navy"; "" for a product without options
    location: str
    change: int
    quantity_after: int  # at that location
    reason: str
    note: str
    who: str
    order_id: uuid.UUID | None
    product_id: uuid.UUID
    location_id: uuid.UUID
    reason_code: str  # as stored: "restock", "transfer", "order_placed", …


def _movement_rows() -> Any:
    return (
        select(StockMovement, User.username, StockLocation.name)
        .join(User, col(User.id) == col(StockMovement.actor_id), isouter=True)
        .join(StockLocation, col(StockLocation.id) == col(StockMovement.location_id))
    )


async def _movement_records(
    session: AsyncSession, rows: Sequence[tuple[StockMovement, str | None, str]]
) -> list[MovementRecord]:
    variants = await get_variant_summaries(
        list({movement.variant_id for movement, _, _ in rows}), session=session
    )
    return [
        MovementRecord(
            at=movement.created_at,
            variant_id=movement.variant_id,
            variant_title=(
                variants[movement.variant_id].title if movement.variant_id in variants else ""
            ),
            location=location,
            change=movement.change,
            quantity_after=movement.quantity_after,
            reason=ADJUSTMENT_REASONS.get(movement.reason, movement.reason.replace("_", " ")),
            note=movement.note or "",
            who=username or ("shopper" if movement.reason == "order_placed" else "system"),
            order_id=movement.order_id,
            product_id=movement.product_id,
            location_id=movement.location_id,
            reason_code=movement.reason,
        )
        for movement, username, location in rows
    ]


async def list_movements(product_id: uuid.UUID, *, limit: int = 100) -> list[MovementRecord]:
    """A product's stock history (all its variants), newest first, with who made staff
    changes."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                _movement_rows()
                .where(StockMovement.product_id == product_id)
                .order_by(col(StockMovement.created_at).desc(), col(StockMovement.id))
                .limit(min(max(limit, 1), 500))
            )
        ).all()
        return await _movement_records(session, rows)


@dataclass(frozen=True)
class MovementFilter:
    """Which ledger rows a staff search shows (None: any)."""

    product_id: uuid.UUID | None = None
    variant_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    reason: str | None = None  # a stored reason code: "restock", "transfer", …
    order_id: uuid.UUID | None = None


async def find_movements(
    wanted: MovementFilter, *, actor: Viewer, page: int = 1, limit: int = 50
) -> Page[MovementRecord]:
    """The stock ledger, newest first, a page at a time, filtered by product, variant,
    location, reason or order (staff with the inventory permission)."""
    require_permission(actor, Permission.INVENTORY, "see stock history")
    page, limit = clamp_page(page, limit)
    conditions: list[Any] = []
    for column, value in (
        (StockMovement.product_id, wanted.product_id),
        (StockMovement.variant_id, wanted.variant_id),
        (StockMovement.location_id, wanted.location_id),
        (StockMovement.reason, wanted.reason),
        (StockMovement.order_id, wanted.order_id),
    ):
        if value is not None:
            conditions.append(col(column) == value)
    async with session_scope() as session:
        rows = (
            await session.exec(
                _movement_rows()
                .where(*conditions)
                .order_by(col(StockMovement.created_at).desc(), col(StockMovement.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(StockMovement).where(*conditions))
        ).one()
        items = await _movement_records(session, rows)
    return Page(items=items, total=total, page=page, limit=limit)
