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
