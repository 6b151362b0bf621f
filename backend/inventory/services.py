"""Stock changes: reserving for an order, returning a cancelled or returned order's
stock, staff adjustments, a count set by the CSV import. Inventory owns stock: no other
domain writes `Product.stock_quantity` (a new product's first count aside, set when the
catalog creates it). Every change here ends in `_record_change`, the one place that
writes the ledger row (`stock_movements`), records `InventoryUpdated` and applies the
low-stock rule (`LowStock` when the stock falls to or below the threshold).

Reserving is one conditional UPDATE per product (`stock_quantity >= wanted`), taken in
product-id order: the row locks are always acquired in the same order (no deadlocks),
and stock can never go below zero (the CHECK constraint agrees).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import User
from backend.accounts.schemas import Viewer
from backend.accounts.staff import require_staff
from backend.audit import services as audit
from backend.catalog import cache as catalog_cache
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.events.outbox import record_event
from backend.inventory.events import InventoryUpdated, LowStock
from backend.inventory.locks import lock_stock_for_update
from backend.inventory.models import StockMovement


class OutOfStockError(DomainError):
    """Not enough stock for a line; `data` names the product and what is left."""

    code = "sold_out"


@dataclass(frozen=True)
class ReservedLine:
    product_id: uuid.UUID
    name: str
    sku: str
    unit_price: Decimal  # the price in the database at the moment of reservation
    currency: str
    quantity: int
    stock_after: int
    low_stock_threshold: int


async def reserve(session: AsyncSession, wanted: dict[uuid.UUID, int]) -> list[ReservedLine]:
    """Take `wanted` (product id → quantity) out of stock for an order, all or nothing
    (the caller's transaction rolls back on OutOfStockError). Once the order row exists,
    `record_reservation` writes the ledger."""
    reserved = []
    for product_id in sorted(wanted):
        quantity = wanted[product_id]
        row = (
            await session.exec(
                update(Product)
                .where(
                    col(Product.id) == product_id,
                    col(Product.is_active),
                    col(Product.stock_quantity) >= quantity,
                )
                .values(stock_quantity=Product.stock_quantity - quantity)
                .returning(
                    col(Product.name),
                    col(Product.sku),
                    col(Product.price),
                    col(Product.currency),
                    col(Product.stock_quantity),
                    col(Product.low_stock_threshold),
                )
            )
        ).first()
        if row is None:
            await _refuse(session, product_id, quantity)
        name, sku, price, currency, stock_after, threshold = row
        reserved.append(
            ReservedLine(product_id, name, sku, price, currency, quantity, stock_after, threshold)
        )
    return reserved


async def record_reservation(
    session: AsyncSession, reserved: list[ReservedLine], *, order_id: uuid.UUID
) -> None:
    for line in reserved:
        await _record_change(
            session,
            _Changed(
                line.product_id, line.sku, line.name, line.stock_after, line.low_stock_threshold
            ),
            change=-line.quantity,
            reason="order_placed",
            order_id=order_id,
        )


async def _refuse(session: AsyncSession, product_id: uuid.UUID, quantity: int) -> NoReturn:
    found = (
        await session.exec(
            select(Product.name, Product.stock_quantity, Product.is_active).where(
                Product.id == product_id
            )
        )
    ).first()
    if found is None or not found[2]:
        raise OutOfStockError("A product in your cart is no longer sold.", product_id=product_id)
    name, left, _ = found
    if left <= 0:
        raise OutOfStockError(f"Sorry, {name} just sold out.", product_id=product_id, left=0)
    raise OutOfStockError(
        f"Sorry, only {left} of {name} left (you asked for {quantity}).",
        product_id=product_id,
        left=left,
    )


async def release(
    session: AsyncSession,
    returned: dict[uuid.UUID, int],
    *,
    order_id: uuid.UUID,
    reason: str,
) -> None:
    """Put a cancelled order's quantities back into stock (products deleted since are
    skipped), in product-id order like `reserve`."""
    for product_id in sorted(returned):
        quantity = returned[product_id]
        row = (
            await session.exec(
                update(Product)
                .where(col(Product.id) == product_id)
                .values(stock_quantity=Product.stock_quantity + quantity)
                .returning(*_CHANGED_COLUMNS)
            )
        ).first()
        if row is not None:
            await _record_change(
                session,
                _Changed(product_id, *row),
                change=quantity,
                reason=reason,
                order_id=order_id,
            )


# What `_record_change` needs of the product after its stock changed, in this order.
_CHANGED_COLUMNS: tuple[Any, ...] = (
    Product.sku,
    Product.name,
    Product.stock_quantity,
    Product.low_stock_threshold,
)


@dataclass(frozen=True)
class _Changed:
    product_id: uuid.UUID
    sku: str
    name: str
    stock_after: int
    low_stock_threshold: int


async def _record_change(
    session: AsyncSession,
    product: _Changed,
    *,
    change: int,
    reason: str,
    order_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> None:
    """The one place a stock change is recorded: its ledger row, `InventoryUpdated`, and
    `LowStock` when this change took the stock to or below the threshold."""
    # Core, in one statement: needs no ORM mapping of the ledger's foreign keys (orders,
    # users) in processes that never load those domains.
    await session.exec(
        insert(StockMovement).values(
            product_id=product.product_id,
            change=change,
            quantity_after=product.stock_after,
            reason=reason,
            order_id=order_id,
            actor_id=actor_id,
            note=note,
        )
    )
    await record_event(
        session,
        InventoryUpdated(
            aggregate_id=str(product.product_id),
            sku=product.sku,
            quantity=product.stock_after,
            change=change,
            reason=reason,
        ),
    )
    threshold = product.low_stock_threshold
    if product.stock_after <= threshold < product.stock_after - change:
        await record_event(
            session,
            LowStock(
                aggregate_id=str(product.product_id),
                sku=product.sku,
                product_name=product.name,
                quantity=product.stock_after,
                threshold=threshold,
            ),
        )


async def set_stock(
    session: AsyncSession,
    product_id: uuid.UUID,
    *,
    quantity: int,
    reason: str,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> bool:
    """Set a product's stock to a counted `quantity` (the CSV import) in the caller's
    transaction, recording the difference like any change. False when there is no such
    product; a count equal to the stock records nothing."""
    before = await lock_stock_for_update(session, product_id)
    if before is None:
        return False
    if before != quantity:
        row = (
            await session.exec(
                update(Product)
                .where(col(Product.id) == product_id)
                .values(stock_quantity=quantity)
                .returning(*_CHANGED_COLUMNS)
            )
        ).one()
        await _record_change(
            session,
            _Changed(product_id, *row),
            change=quantity - before,
            reason=reason,
            actor_id=actor_id,
            note=note,
        )
    return True


ADJUSTMENT_REASONS = {
    "restock": "Restock",
    "correction": "Stock count correction",
    "damaged": "Damaged or lost",
    "returned": "Returned by a customer",
}
MAX_ADJUSTMENT = 100_000


async def adjust_stock(
    product_id: uuid.UUID, *, change: int, reason: str, note: str = "", actor: Viewer
) -> int:
    """Staff change a product's stock by `change` (never below zero), with a reason; the
    ledger, the audit log and `InventoryUpdated` record it. Returns the new quantity."""
    require_staff(actor, "adjust stock")
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
        row = (
            await session.exec(
                update(Product)
                .where(col(Product.id) == product_id, col(Product.stock_quantity) + change >= 0)
                .values(stock_quantity=Product.stock_quantity + change)
                .returning(*_CHANGED_COLUMNS)
            )
        ).first()
        if row is None:
            found = await session.get(Product, product_id)
            if found is None:
                raise NotFoundError("There is no such product.")
            raise InvalidInputError(
                "Stock cannot go below zero.",
                {"change": f"Only {found.stock_quantity} in stock: remove at most that many."},
            )
        changed = _Changed(product_id, *row)
        sku, stock_after = changed.sku, changed.stock_after
        await _record_change(
            session,
            changed,
            change=change,
            reason=reason,
            actor_id=actor.user_id,
            note=note or None,
        )
        audit.record(
            session,
            actor=actor,
            action="stock.adjusted",
            entity_type="stock",
            entity_id=sku,
            before={"stock": stock_after - change},
            after={"stock": stock_after, "reason": reason, "note": note},
        )
    await catalog_cache.invalidate_after_commit()
    return int(stock_after)


@dataclass(frozen=True)
class MovementRecord:
    at: datetime
    change: int
    quantity_after: int
    reason: str
    note: str
    who: str
    order_id: uuid.UUID | None


async def list_movements(product_id: uuid.UUID, *, limit: int = 100) -> list[MovementRecord]:
    """A product's stock history, newest first, with who made staff changes."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(StockMovement, User.username)
                .join(User, col(User.id) == col(StockMovement.actor_id), isouter=True)
                .where(StockMovement.product_id == product_id)
                .order_by(col(StockMovement.created_at).desc(), col(StockMovement.id))
                .limit(min(max(limit, 1), 500))
            )
        ).all()
    return [
        MovementRecord(
            at=movement.created_at,
            change=movement.change,
            quantity_after=movement.quantity_after,
            reason=ADJUSTMENT_REASONS.get(movement.reason, movement.reason.replace("_", " ")),
            note=movement.note or "",
            who=username or ("shopper" if movement.reason == "order_placed" else "system"),
            order_id=movement.order_id,
        )
        for movement, username in rows
    ]
