"""Reading back-in-stock subscriptions: whether a shopper is waiting for a product, and
staff's view of the demand per product."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.models import Product
from backend.core.db import read_scope
from backend.stock_notices.models import OPEN_STATUSES, StockNoticeSubscription
from backend.stock_notices.schemas import ProductDemand


async def is_waiting(variant_id: uuid.UUID, viewer: Viewer) -> bool:
    """Whether the signed-in shopper has an active subscription for this variant."""
    async with read_scope() as session:
        found = (
            await session.exec(
                select(StockNoticeSubscription.id).where(
                    StockNoticeSubscription.variant_id == variant_id,
                    func.lower(StockNoticeSubscription.email) == viewer.email.lower(),
                    StockNoticeSubscription.status == "active",
                )
            )
        ).first()
    return found is not None


async def list_demand(actor: Viewer, *, limit: int = 100) -> list[ProductDemand]:
    """Staff: products with open subscriptions, most wanted (confirmed) first."""
    require_permission(actor, Permission.INVENTORY, "see back-in-stock demand")
    waiting = func.count().filter(col(StockNoticeSubscription.status) == "active")
    unconfirmed = func.count().filter(col(StockNoticeSubscription.status) == "pending")
    async with read_scope() as session:
        rows: Sequence[tuple[Any, ...]] = (
            await session.exec(
                SQLModelSelect(
                    col(Product.id),
                    col(Product.name),
                    col(Product.sku),
                    col(Product.stock_quantity),
                    waiting,
                    unconfirmed,
                )
                .join(Product, col(Product.id) == col(StockNoticeSubscription.product_id))
                .where(col(StockNoticeSubscription.status).in_(OPEN_STATUSES))
                .group_by(col(Product.id))
                .order_by(waiting.desc(), unconfirmed.desc(), col(Product.name))
                .limit(min(max(limit, 1), 500))
            )
        ).all()
    return [ProductDemand(*row) for row in rows]
