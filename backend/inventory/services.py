"""Stock changes: reserving for an order, returning a cancelled order's stock, staff
adjustments. Each runs in the caller's transaction and writes the ledger.

Reserving is one conditional UPDATE per product (`stock_quantity >= wanted`), taken in
product-id order: the row locks are always acquired in the same order (no deadlocks),
and stock can never go below zero (the CHECK constraint agrees).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NoReturn

from sqlalchemy import update
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
        reserved.append(ReservedLine(product_id, name, sku, price, currency, quantity, stock_after))
        if stock_after <= threshold < stock_after + quantity:
            await record_event(
                session,
                LowStock(
                    aggregate_id=str(product_id),
                    sku=sku,
                    product_name=name,
                    quantity=stock_after,
                    threshold=threshold,
                ),
            )
    return reserved


async def record_reservation(
    session: AsyncSession, reserved: list[ReservedLine], *, order_id: uuid.UUID
) -> None:
    for line in reserved:
        await _record(
            session,
            line.product_id,
            line.sku,
            change=-line.quantity,
            stock_after=line.stock_after,
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
                .returning(col(Product.sku), col(Product.stock_quantity))
            )
        ).first()
        if row is not None:
            sku, stock_after = row
            await _record(
                session,
                product_id,
                sku,
                change=quantity,
                stock_after=stock_after,
                reason=reason,
                order_id=order_id,
            )


async def _record(
    session: AsyncSession,
    product_id: uuid.UUID,
    sku: str,
    *,
    change: int,
    stock_after: int,
    reason: str,
    order_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    note: str | None = None,
) -> None:
    session.add(
        StockMovement(
            product_id=product_id,
            change=change,
            quantity_after=stock_after,
            reason=reason,
            order_id=order_id,
            actor_id=actor_id,
            note=note,
        )
    )
    await record_event(
        session,
        InventoryUpdated(
            aggregate_id=str(product_id),
            sku=sku,
            quantity=stock_after,
            change=change,
            reason=reason,
        ),
    )


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
                .returning(
                    col(Product.sku),
                    col(Product.name),
                    col(Product.stock_quantity),
                    col(Product.low_stock_threshold),
                )
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
        sku, name, stock_after, threshold = row
        await _record(
            session,
            product_id,
            sku,
            change=change,
            stock_after=stock_after,
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
        if stock_after <= threshold < stock_after - change:
            await record_event(
                session,
                LowStock(
                    aggregate_id=str(product_id),
                    sku=sku,
                    product_name=name,
                    quantity=stock_after,
                    threshold=threshold,
                ),
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
