"""What staff do with a paid order: ship it, mark it delivered, or cancel it once its
money is back (`checkout.cancellation` makes the refund through payments). Each step
goes through the order's transition table, so an action that does not fit the order's
state is refused."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.catalog import cache as catalog_cache
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.inventory import locations as inventory_locations
from backend.inventory import services as inventory
from backend.orders import status
from backend.orders.errors import InvalidTransitionError
from backend.orders.events import OrderFulfilled
from backend.orders.locks import lock_order_for_update
from backend.orders.models import OrderLine, OrderParcel
from backend.orders.services import cancel_order_locked

MAX_CARRIER_LENGTH = 60
MAX_TRACKING_LENGTH = 100


async def fulfil_order(
    order_id: uuid.UUID,
    *,
    carrier: str,
    tracking_number: str = "",
    actor: Viewer,
    ship_from: uuid.UUID | None = None,
    parcels: Mapping[uuid.UUID, str] | None = None,
) -> None:
    """Mark a paid order shipped; the shopper is e-mailed (and texted, with a phone).

    `ship_from`: the stock location it all leaves from, when not from where its goods
    are held: they are taken there instead (`inventory.ship_order_from`). Otherwise an
    order whose goods are held at several locations ships as one parcel from each:
    `parcels` gives each one's tracking number (location id → number), or, without it,
    they all go under `tracking_number` (a carrier's lead number for a multi-parcel
    shipment)."""
    require_permission(actor, Permission.ORDERS_FULFIL, "ship orders")
    carrier = carrier.strip()
    problems = {}
    if not carrier or len(carrier) > MAX_CARRIER_LENGTH:
        problems["carrier"] = "Name the carrier (up to 60 characters)."
    if not parcels and not 0 < len(tracking_number.strip()) <= MAX_TRACKING_LENGTH:
        problems["tracking_number"] = "Enter the tracking number (up to 100 characters)."
    if problems:
        raise InvalidInputError("Please correct the shipping details.", problems)
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        before = order.status
        if order.payment_status == "partially_paid":
            raise InvalidTransitionError(
                f"Order {order.number} is partially paid: an edit raised its total, and it "
                "ships once the customer has paid the difference.",
                current=order.payment_status,
                target="fulfilled",
            )
        if not status.can_move("order", order.status, "fulfilled"):
            raise InvalidTransitionError(
                f"Order {order.number} is {status.label(order.status)}; only a paid order "
                "can be shipped.",
                current=order.status,
                target="fulfilled",
            )
        if ship_from is not None:
            await inventory.ship_order_from(session, order.id, ship_from)
        shipped = _parcels(
            await inventory_locations.locations_holding(session, order.id),
            tracking_number,
            parcels or {},
        )
        note = _describe(shipped)
        status.move(
            session, order, "order", "fulfilled", actor=actor_label(actor), note=f"{carrier} {note}"
        )
        order.carrier, order.tracking_number = carrier, shipped[0][2]
        for position, (location_id, location_name, number) in enumerate(shipped):
            session.add(
                OrderParcel(
                    order_id=order.id,
                    position=position,
                    location_id=location_id,
                    location_name=location_name,
                    carrier=carrier,
                    tracking_number=number,
                )
            )
        audit.record(
            session,
            actor=actor,
            action="order.fulfilled",
            entity_type="order",
            entity_id=order.number,
            before={"status": before},
            after={"status": order.status, "carrier": carrier, "tracking_number": note},
        )
        await record_event(
            session,
            OrderFulfilled(
                aggregate_id=str(order.id),
                order_number=order.number,
                email=order.email,
                customer_name=order.customer_name,
                carrier=carrier,
                tracking_number=note,
                parcels=len(shipped),
                phone=order.phone,
            ),
        )
    if ship_from is not None:
        await catalog_cache.invalidate_after_commit()  # stock moved between locations


def _parcels(
    held: list[tuple[uuid.UUID, str]], tracking_number: str, parcels: Mapping[uuid.UUID, str]
) -> list[tuple[uuid.UUID | None, str, str]]:
    """(location id, its name, tracking number) per parcel, checked: one per location
    holding the goods, or the one parcel."""
    if len(held) > 1 and parcels:
        numbers = {location_id: (parcels.get(location_id) or "").strip() for location_id, _ in held}
        problems = {
            f"tracking-{location_id}": f"Enter the tracking number of the parcel from {name}."
            for location_id, name in held
            if not numbers[location_id] or len(numbers[location_id]) > MAX_TRACKING_LENGTH
        }
        if problems:
            raise InvalidInputError("Please correct the shipping details.", problems)
        return [(location_id, name, numbers[location_id]) for location_id, name in held]
    tracking_number = tracking_number.strip() or next(iter(parcels.values()), "").strip()
    if not tracking_number or len(tracking_number) > MAX_TRACKING_LENGTH:
        raise InvalidInputError(
            "Please correct the shipping details.",
            {"tracking_number": "Enter the tracking number (up to 100 characters)."},
        )
    if not held:
        return [(None, "", tracking_number)]
    return [(location_id, name, tracking_number) for location_id, name in held]


def _describe(shipped: list[tuple[uuid.UUID | None, str, str]]) -> str:
    """The tracking number, or each parcel's with where it comes from."""
    if len({number for _, _, number in shipped}) == 1:
        return shipped[0][2]
    return ", ".join(f"{number} (from {name})" for _, name, number in shipped)


async def mark_delivered(order_id: uuid.UUID, *, actor: Viewer) -> None:
    require_permission(actor, Permission.ORDERS_FULFIL, "update orders")
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        before = order.status
        status.move(session, order, "order", "delivered", actor=actor_label(actor))
        audit.record(
            session,
            actor=actor,
            action="order.delivered",
            entity_type="order",
            entity_id=order.number,
            before={"status": before},
            after={"status": order.status},
        )


async def amount_to_refund_on_cancel(order_id: uuid.UUID, *, actor: Viewer) -> Decimal:
    """What is left to refund before a paid, unshipped order is cancelled by the shop.
    Raises InvalidTransitionError when the order is not paid or has shipped. (The
    refund itself is the payments domain's; `checkout.cancellation` makes it between
    this check and `cancel_refunded_order`.)"""
    require_permission(actor, Permission.ORDERS_REFUND, "cancel orders")
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        if not status.can_move("order", order.status, "cancelled") or order.status != "paid":
            raise InvalidTransitionError(
                f"Order {order.number} is {status.label(order.status)}; only a paid order "
                "that has not shipped can be cancelled here."
            )
        # What came in, not the total: an edit may have raised it (the difference not paid
        # yet) or lowered it (the difference not back yet).
        return order.amount_paid - order.refunded_amount


async def cancel_refunded_order(order_id: uuid.UUID, *, actor: Viewer) -> None:
    """Cancel a paid order whose money has gone back: restock, give the discount back,
    audit it."""
    require_permission(actor, Permission.ORDERS_REFUND, "cancel orders")
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        before = order.status
        await cancel_order_locked(
            session,
            order,
            actor=actor_label(actor),
            reason="Cancelled by the shop",
            stock_reason="order_cancelled",
        )
        audit.record(
            session,
            actor=actor,
            action="order.cancelled",
            entity_type="order",
            entity_id=order.number,
            before={"status": before},
            after={"status": order.status},
        )
    await catalog_cache.invalidate_after_commit()


async def complete_gift_card_order(order_id: uuid.UUID) -> bool:
    """A paid order of gift cards alone has nothing to ship: once its cards are issued
    it is done (fulfilled, then delivered; the cards are e-mailed on their days). No
    shipping e-mail goes out. False for any other order, or one already moved on."""
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        if order.status != "paid":
            return False
        goods = (
            await session.exec(
                select(func.count())
                .select_from(OrderLine)
                .where(OrderLine.order_id == order_id, col(OrderLine.gift_card).is_(None))
            )
        ).one()
        if goods:
            return False
        note = "Gift cards issued; each is e-mailed on its day"
        status.move(session, order, "order", "fulfilled", actor="system", note=note)
        status.move(session, order, "order", "delivered", actor="system")
        return True
