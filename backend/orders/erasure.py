"""Anonymising a person's orders: what bookkeeping needs stays (numbers, dates, lines,
amounts, tax, the country shipped to); name, e-mail, phone and address go."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.redaction import ERASED, ERASED_EMAIL
from backend.orders.models import Order, OrderLine

# Orders still moving (money or goods): an account with one is not erased yet.
OPEN_STATUSES = ("pending_payment", "paid", "fulfilled")


def _theirs(user_id: uuid.UUID, email: str) -> Any:
    return or_(col(Order.user_id) == user_id, func.lower(Order.email) == email.lower())


async def open_order_numbers(session: AsyncSession, user_id: uuid.UUID, email: str) -> list[str]:
    return list(
        (
            await session.exec(
                select(Order.number).where(
                    _theirs(user_id, email), col(Order.status).in_(OPEN_STATUSES)
                )
            )
        ).all()
    )


@dataclass(frozen=True)
class AnonymisedOrders:
    order_ids: list[uuid.UUID]
    identifying: list[str]  # the names, phones and streets the orders held
    gift_card_lines: list[uuid.UUID]  # the gift cards the orders bought


async def anonymise_orders(
    session: AsyncSession, user_id: uuid.UUID, email: str
) -> AnonymisedOrders:
    """Anonymise every order of the account or placed with its e-mail."""
    orders = (
        await session.exec(select(Order).where(_theirs(user_id, email)).with_for_update())
    ).all()
    identifying: list[str] = []
    for order in orders:
        address = order.shipping_address
        identifying += [order.customer_name, order.phone or ""]
        identifying += [str(address.get(k) or "") for k in ("full_name", "line1", "line2", "phone")]
        order.email, order.customer_name, order.phone = ERASED_EMAIL, ERASED, None
        order.shipping_address = {"country": order.shipping_address.get("country")}
        order.user_id, order.cart_key = None, None
        session.add(order)
    order_ids = [order.id for order in orders]
    # Gift cards bought: who they were for, and the message, go too.
    gift_card_lines = (
        list(
            (
                await session.exec(
                    update(OrderLine)
                    .where(
                        col(OrderLine.order_id).in_(order_ids),
                        col(OrderLine.gift_card).is_not(None),
                    )
                    .values(gift_card={"erased": True}, options=[])
                    .returning(col(OrderLine.id))
                )
            ).scalars()
        )
        if order_ids
        else []
    )
    return AnonymisedOrders(order_ids, [v for v in identifying if v], gift_card_lines)
