"""Inventory owns stock: every way stock changes (placing, cancelling, expiring, staff
adjustments; the CSV import and returns in their own files) leaves exactly one ledger
row and one InventoryUpdated per product change, and the low-stock rule fires once when
the threshold is crossed. A product edit cannot change stock behind the ledger."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from backend.accounts.schemas import Viewer
from backend.catalog import services as catalog
from backend.catalog.models import Product
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.models import OutboxEvent
from backend.inventory import services as inventory
from backend.inventory.models import StockMovement
from backend.orders import services as orders
from backend.orders.models import Order
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed


async def recorded(product_id: uuid.UUID) -> tuple[int, int, int, int]:
    """(ledger rows, InventoryUpdated, LowStock, stock now) of one product."""
    async with session_scope() as session:
        ledger = (
            await session.exec(
                select(func.count()).where(col(StockMovement.product_id) == product_id)
            )
        ).one()
        counts = dict(
            (
                await session.exec(
                    select(OutboxEvent.event_type, func.count())
                    .where(OutboxEvent.aggregate_id == str(product_id))
                    .group_by(col(OutboxEvent.event_type))
                )
            ).all()
        )
        product = await session.get(Product, product_id)
        assert product is not None
    return (
        ledger,
        counts.get("InventoryUpdated", 0),
        counts.get("LowStock", 0),
        product.stock_quantity,
    )


async def test_every_stock_change_is_one_ledger_row_and_one_event(
    make_product: MakeProduct, place_order: PlaceOrder, admin_viewer: Viewer
) -> None:
    mug = await make_product(stock_quantity=8, low_stock_threshold=5)

    placed = await place_order({mug: 4})  # 8 → 4 crosses the threshold of 5
    assert await recorded(mug) == (1, 1, 1, 4)

    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))
    assert await recorded(mug) == (2, 2, 1, 8)

    await inventory.adjust_stock(mug, change=-2, reason="damaged", actor=admin_viewer)
    assert await recorded(mug) == (3, 3, 1, 6)

    expiring = await place_order({mug: 3})  # 6 → 3 crosses it again
    assert await recorded(mug) == (4, 4, 2, 3)
    async with session_scope() as session:
        await session.exec(
            update(Order)
            .where(col(Order.id) == expiring.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert await orders.expire_unpaid_orders() >= 1
    assert await recorded(mug) == (5, 5, 2, 6)

    history = await inventory.list_movements(mug)
    assert [m.change for m in reversed(history)] == [-4, 4, -2, -3, 3]


async def test_a_product_edit_cannot_change_stock_behind_the_ledger(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    lamp = await make_product(stock_quantity=7)

    with pytest.raises(InvalidInputError) as refused:
        await catalog.update_product(lamp, {"stock_quantity": 100}, actor=admin_viewer)
    # Repeating the current count (a PUT of every field) is fine.
    await catalog.update_product(lamp, {"stock_quantity": 7, "name": "Lamp"}, actor=admin_viewer)

    assert "stock_quantity" in refused.value.field_errors
    assert await recorded(lamp) == (0, 0, 0, 7)
