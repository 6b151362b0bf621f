"""Staff stock adjustments: a reason, never below zero, written to the ledger and the audit
log, and only by staff."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.models import OutboxEvent
from backend.inventory import services as inventory
from tests.fixtures.catalog import MakeProduct


async def events(product_id: object, event_type: str) -> int:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == str(product_id),
                    OutboxEvent.event_type == event_type,
                )
            )
        ).all()
    return len(rows)


async def test_an_adjustment_is_recorded_with_who_why_and_when(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=8, low_stock_threshold=5)

    after_restock = await inventory.adjust_stock(
        product, change=12, reason="restock", note="Supplier delivery", actor=admin_viewer
    )
    after_damage = await inventory.adjust_stock(
        product, change=-17, reason="damaged", actor=admin_viewer
    )

    assert (after_restock, after_damage) == (20, 3)
    history = await inventory.list_movements(product)
    assert [(m.change, m.quantity_after, m.reason) for m in history] == [
        (-17, 3, "Damaged or lost"),
        (12, 20, "Restock"),
    ]
    assert {m.who for m in history} == {admin_viewer.username}
    assert history[1].note == "Supplier delivery"
    assert await events(product, "InventoryUpdated") == 2
    assert await events(product, "LowStock") == 1  # 20 → 3 crossed the threshold of 5
    logged = await audit.list_entries(entity_type="stock", action="stock.adjusted")
    assert any(e.after and e.after["stock"] == 3 for e in logged.items)


async def test_stock_never_goes_below_zero_and_bad_input_is_explained(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=2)

    with pytest.raises(InvalidInputError) as too_many:
        await inventory.adjust_stock(product, change=-3, reason="damaged", actor=admin_viewer)
    with pytest.raises(InvalidInputError) as nonsense:
        await inventory.adjust_stock(product, change=0, reason="because", actor=admin_viewer)

    assert too_many.value.field_errors == {
        "change": "Only 2 at Main warehouse: remove at most that many."
    }
    assert set(nonsense.value.field_errors) == {"change", "reason"}
    assert await inventory.list_movements(product) == []


async def test_shoppers_cannot_adjust_stock(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=2)
    with pytest.raises(PermissionDeniedError):
        await inventory.adjust_stock(product, change=100, reason="restock", actor=shopper_viewer)
    assert await inventory.list_movements(product) == []
