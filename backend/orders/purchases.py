"""Who bought what: the reviews domain asks whether a shopper may review a product."""

from __future__ import annotations

import uuid

from sqlalchemy import exists
from sqlmodel import col, select

from backend.core.db import session_scope
from backend.orders.models import Order, OrderLine

# An order counts as a purchase once it is paid, and stays one when it is shipped and
# delivered (even if later refunded). Orders awaiting payment, and cancelled ones (unpaid
# and expired, or cancelled with a refund before shipping), do not.
BOUGHT_STATUSES: tuple[str, ...] = ("paid", "fulfilled", "delivered")


async def has_bought(user_id: uuid.UUID, product_id: uuid.UUID) -> bool:
    """Whether an order placed while signed in to this account contains the product and is
    paid or later. Guest orders do not count, even with the account's e-mail address: an
    order only belongs to an account when it was placed signed in."""
    bought = exists(
        select(OrderLine.id)
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(
            col(Order.user_id) == user_id,
            col(Order.status).in_(BOUGHT_STATUSES),
            col(OrderLine.product_id) == product_id,
        )
    )
    async with session_scope() as session:
        return bool((await session.exec(select(bought))).one())


async def variants_bought(user_ids: list[uuid.UUID], product_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """For each account that bought the product (as `has_bought` counts it), the options
    of the variant it bought last, as shoppers read them ("M / Navy"); accounts that
    bought a product without options are missing. One SQL statement."""
    if not user_ids:
        return {}
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Order.user_id, OrderLine.options)
                .join(Order, col(Order.id) == col(OrderLine.order_id))
                .where(
                    col(Order.user_id).in_(user_ids),
                    col(Order.status).in_(BOUGHT_STATUSES),
                    col(OrderLine.product_id) == product_id,
                )
                .order_by(col(Order.created_at))
            )
        ).all()
    bought: dict[uuid.UUID, str] = {}
    for user_id, options in rows:  # oldest first: the last one wins
        if user_id is not None and options:
            bought[user_id] = " / ".join(option["value"] for option in options)
    return bought
