"""Stock locations (#22 item 5): stock per variant per location with a ledger per
location; orders take it from the locations that sell online in priority order, split
when one cannot fill a line, and give it back where it came from; staff move stock
between locations; the storefront sells the sum of the online locations, and never more
than there is when buyers race for units spread over two locations."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog.models import ProductVariant
from backend.checkout import cancellation
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.models import OutboxEvent
from backend.inventory import locations
from backend.inventory import services as inventory
from backend.inventory.models import LocationStock, StockLocation, StockMovement
from backend.inventory.services import OutOfStockError
from backend.orders import fulfilment
from backend.orders import services as orders
from backend.orders.models import Order, OrderParcel
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed
from tests.fixtures.stock_locations import MAIN

pytestmark = pytest.mark.usefixtures("main_warehouse_sells_alone")


async def new_location(
    admin: Viewer, name: str, *, priority: int, sells_online: bool = True
) -> uuid.UUID:
    return await locations.create_location(
        {
            "name": name,
            "line1": "2 River Road",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
            "priority": str(priority),
            "sells_online": "on" if sells_online else "",
        },
        actor=admin,
    )


async def held(variant_id: uuid.UUID) -> dict[uuid.UUID, int]:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(LocationStock.location_id, LocationStock.quantity).where(
                    LocationStock.variant_id == variant_id
                )
            )
        ).all()
    return {location_id: quantity for location_id, quantity in rows if quantity}


async def selling(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


async def assert_online_sum_holds(variant_id: uuid.UUID) -> None:
    """What the storefront sells is what the online locations hold."""
    async with session_scope() as session:
        online = (
            await session.exec(
                select(func.coalesce(func.sum(LocationStock.quantity), 0))
                .join(StockLocation, col(StockLocation.id) == col(LocationStock.location_id))
                .where(LocationStock.variant_id == variant_id, col(StockLocation.sells_online))
            )
        ).one()
    assert online == await selling(variant_id)


async def ledger(variant_id: uuid.UUID) -> list[tuple[uuid.UUID, int, int, str]]:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(StockMovement)
                .where(StockMovement.variant_id == variant_id)
                .order_by(col(StockMovement.created_at), col(StockMovement.id))
            )
        ).all()
    return [(r.location_id, r.change, r.quantity_after, r.reason) for r in rows]


async def order_of(product_id: uuid.UUID, quantity: int) -> orders.PlacedOrder:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product_id, quantity)
    return await orders.place_order(
        cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )


async def test_a_new_product_counts_its_stock_at_the_first_online_location(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(stock_quantity=7)

    assert await held(lamp) == {MAIN: 7}
    await assert_online_sum_holds(lamp)


async def test_an_order_takes_by_priority_splits_and_gives_back_where_it_took(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=3)
    store = await new_location(admin_viewer, f"Riverside {unique}", priority=1)
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=store, quantity=2, actor=admin_viewer
    )
    assert await held(lamp) == {MAIN: 1, store: 2}
    assert await selling(lamp) == 3  # both sell online: nothing changed for shoppers

    placed = await order_of(lamp, 3)

    assert await held(lamp) == {}
    allocated = await locations.allocations_of(placed.id)
    assert [(a.location, a.quantity) for a in allocated] == [
        (f"Riverside {unique}", 2),  # priority 1 first
        ("Main warehouse", 1),  # the rest
    ]
    assert sorted((await ledger(lamp))[-2:], key=lambda row: row[1]) == [
        (store, -2, 0, "order_placed"),
        (MAIN, -1, 0, "order_placed"),
    ]

    await cancellation.cancel_order(placed.id, by=admin_viewer)

    assert await held(lamp) == {MAIN: 1, store: 2}
    assert await locations.allocations_of(placed.id) == []
    await assert_online_sum_holds(lamp)


async def test_the_storefront_sells_only_what_online_locations_hold(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=5)
    back_room = await new_location(
        admin_viewer, f"Back room {unique}", priority=2, sells_online=False
    )

    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=back_room, quantity=2, actor=admin_viewer
    )
    assert await selling(lamp) == 3
    await order_of(lamp, 3)  # all the online stock; the back room keeps its 2
    assert (await selling(lamp), await held(lamp)) == (0, {back_room: 2})

    data = {"name": f"Back room {unique}", "priority": "2", "sells_online": "on"}
    await locations.update_location(back_room, data, actor=admin_viewer)
    assert await selling(lamp) == 2
    await assert_online_sum_holds(lamp)

    # The back room may stop selling online again: the main warehouse still does.
    offline = {"name": f"Back room {unique}", "priority": "2"}
    await locations.update_location(back_room, offline, actor=admin_viewer)
    assert await selling(lamp) == 0
    await assert_online_sum_holds(lamp)
    # Not the main warehouse now: it is the last that sells online (nothing changes).
    with pytest.raises(InvalidInputError) as last:
        await locations.update_location(
            MAIN, {"name": "Main warehouse", "priority": "10"}, actor=admin_viewer
        )
    assert "At least one location must sell online." in last.value.field_errors.values()
    async with session_scope() as session:
        main = await session.get(StockLocation, MAIN)
    assert main is not None
    assert main.sells_online


async def test_a_transfer_is_one_row_in_each_ledger_and_never_more_than_is_there(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=4)
    store = await new_location(admin_viewer, f"Harbour {unique}", priority=2)

    with pytest.raises(InvalidInputError) as too_many:
        await inventory.transfer_stock(
            lamp, from_location=MAIN, to_location=store, quantity=5, actor=admin_viewer
        )
    assert too_many.value.field_errors == {"quantity": "Only 4 at Main warehouse."}
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=store, quantity=3, note="Window", actor=admin_viewer
    )

    assert await held(lamp) == {MAIN: 1, store: 3}
    assert sorted((await ledger(lamp))[-2:], key=lambda row: row[1]) == [
        (MAIN, -3, 1, "transfer"),
        (store, 3, 3, "transfer"),
    ]
    movements = await inventory.list_movements(lamp)
    assert {(m.location, m.change, m.note) for m in movements[:2]} == {
        (f"Harbour {unique}", 3, "Window"),
        ("Main warehouse", -3, "Window"),
    }


async def test_staff_adjust_stock_at_a_chosen_location(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=2)
    store = await new_location(admin_viewer, f"Dockside {unique}", priority=3)

    after = await inventory.adjust_stock(
        lamp, change=6, reason="restock", actor=admin_viewer, location_id=store
    )

    assert after == 6
    assert await held(lamp) == {MAIN: 2, store: 6}
    assert await selling(lamp) == 8
    with pytest.raises(InvalidInputError) as below_zero:
        await inventory.adjust_stock(
            lamp, change=-7, reason="damaged", actor=admin_viewer, location_id=store
        )
    assert below_zero.value.field_errors == {
        "change": f"Only 6 at Dockside {unique}: remove at most that many."
    }


async def test_locations_are_for_inventory_staff_only(
    shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        await locations.list_locations(actor=shopper_viewer)
    with pytest.raises(PermissionDeniedError):
        await new_location(shopper_viewer, f"Nope {unique}", priority=5)
    with pytest.raises(InvalidInputError) as duplicate:
        await new_location(admin_viewer, "main WAREHOUSE", priority=5)
    assert duplicate.value.field_errors == {"name": "Another location has this name."}


@pytest.mark.slow
async def test_100_buyers_racing_for_5_units_over_two_locations_make_exactly_5_orders(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    hot = await make_product(stock_quantity=5)
    store = await new_location(admin_viewer, f"Race store {unique}", priority=2)
    await inventory.transfer_stock(
        hot, from_location=MAIN, to_location=store, quantity=2, actor=admin_viewer
    )
    owners: list[CartOwner] = []
    for _ in range(100):
        owner = cart_owners.guest_owner(cart_owners.new_guest_token())
        assert owner is not None
        await carts.add_item(owner, hot, 1)
        owners.append(owner)

    async def checkout(owner: CartOwner) -> str:
        try:
            await orders.place_order(
                cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
            )
        except OutOfStockError:
            return "sold out"
        return "ordered"

    outcomes = await asyncio.gather(*(checkout(owner) for owner in owners))

    assert outcomes.count("ordered") == 5
    assert await held(hot) == {}
    assert await selling(hot) == 0
    taken = [
        change for location, change, _, reason in await ledger(hot) if reason == "order_placed"
    ]
    assert sum(taken) == -5


async def paid_order_of(product_id: uuid.UUID, quantity: int) -> orders.PlacedOrder:
    placed = await order_of(product_id, quantity)
    outcome = await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    assert outcome.status == "succeeded"
    return placed


async def test_an_order_shipped_from_another_location_takes_its_goods_from_there(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=3)
    store = await new_location(admin_viewer, f"Quay {unique}", priority=20)
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=store, quantity=1, actor=admin_viewer
    )
    placed = await paid_order_of(lamp, 2)  # both from the main warehouse (priority 10)
    assert await held(lamp) == {store: 1}

    with pytest.raises(InvalidInputError) as short:
        await fulfilment.fulfil_order(
            placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer, ship_from=store
        )
    assert short.value.field_errors["ship_from"].startswith(f"Quay {unique} does not hold 2 of")
    async with session_scope() as session:
        still = await session.get(Order, placed.id)
    assert still is not None
    assert still.status == "paid"  # nothing written

    # Restocked: the quay has plenty now.
    await inventory.adjust_stock(
        lamp, change=4, reason="restock", actor=admin_viewer, location_id=store
    )
    await fulfilment.fulfil_order(
        placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer, ship_from=store
    )

    assert [(a.location, a.quantity) for a in await locations.allocations_of(placed.id)] == [
        (f"Quay {unique}", 2)
    ]
    assert await held(lamp) == {MAIN: 2, store: 3}  # the two back on sale at the main one
    assert await selling(lamp) == 5
    reallocated = [row for row in await ledger(lamp) if row[3] == "reallocated"]
    assert sorted((row[0], row[1]) for row in reallocated) == sorted([(store, -2), (MAIN, 2)])
    await assert_online_sum_holds(lamp)


async def test_an_order_held_at_two_locations_ships_as_two_parcels(
    make_product: MakeProduct, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(stock_quantity=3)
    store = await new_location(admin_viewer, f"Pier {unique}", priority=1)
    await inventory.transfer_stock(
        lamp, from_location=MAIN, to_location=store, quantity=1, actor=admin_viewer
    )
    placed = await paid_order_of(lamp, 3)  # 1 from the pier (first), 2 from the main one

    with pytest.raises(InvalidInputError) as missing:
        await fulfilment.fulfil_order(
            placed.id, carrier="DHL", actor=admin_viewer, parcels={store: "JD1", MAIN: " "}
        )
    assert missing.value.field_errors == {
        f"tracking-{MAIN}": "Enter the tracking number of the parcel from Main warehouse."
    }
    await fulfilment.fulfil_order(
        placed.id, carrier="DHL", actor=admin_viewer, parcels={store: "JD1", MAIN: "JD2"}
    )

    async with session_scope() as session:
        parcels = (
            await session.exec(
                select(OrderParcel)
                .where(OrderParcel.order_id == placed.id)
                .order_by(col(OrderParcel.position))
            )
        ).all()
        shipped = (
            await session.exec(
                select(OutboxEvent.payload).where(
                    OutboxEvent.aggregate_id == str(placed.id),
                    OutboxEvent.event_type == "OrderFulfilled",
                )
            )
        ).one()
        order = await session.get(Order, placed.id)
    assert [(p.location_name, p.carrier, p.tracking_number) for p in parcels] == [
        (f"Pier {unique}", "DHL", "JD1"),
        ("Main warehouse", "DHL", "JD2"),
    ]
    assert shipped["parcels"] == 2
    assert shipped["tracking_number"] == f"JD1 (from Pier {unique}), JD2 (from Main warehouse)"
    assert order is not None
    assert (order.status, order.tracking_number) == ("fulfilled", "JD1")
