"""Row locks of back-in-stock subscriptions (`SELECT … FOR UPDATE`), for the caller's
transaction. Only the subscription rows are locked, never the product's."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product
from backend.stock_notices.models import OPEN_STATUSES, StockNoticeSubscription


async def lock_subscription_for_update(
    session: AsyncSession, subscription_id: uuid.UUID
) -> StockNoticeSubscription | None:
    return await session.get(StockNoticeSubscription, subscription_id, with_for_update=True)


async def lock_open_subscription_for_update(
    session: AsyncSession, variant_id: uuid.UUID, email: str
) -> StockNoticeSubscription | None:
    """The open (pending or active) subscription of `email` (any case) for the variant."""
    return (
        await session.exec(
            select(StockNoticeSubscription)
            .where(
                StockNoticeSubscription.variant_id == variant_id,
                func.lower(StockNoticeSubscription.email) == email.lower(),
                col(StockNoticeSubscription.status).in_(OPEN_STATUSES),
            )
            .with_for_update()
        )
    ).first()


async def lock_subscription_to_confirm_for_update(
    session: AsyncSession, *, confirm_token_hash: str, now: datetime
) -> tuple[StockNoticeSubscription, str, str] | None:
    """The pending subscription whose unexpired confirm link has this token hash, with its
    product's name and slug."""
    row = (
        await session.exec(
            select(StockNoticeSubscription, Product.name, Product.slug)
            .join(Product, col(Product.id) == col(StockNoticeSubscription.product_id))
            .where(
                StockNoticeSubscription.confirm_token_hash == confirm_token_hash,
                StockNoticeSubscription.status == "pending",
                col(StockNoticeSubscription.confirm_expires_at) > now,
            )
            .with_for_update(of=StockNoticeSubscription)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def lock_subscription_to_cancel_for_update(
    session: AsyncSession, *, cancel_token_hash: str
) -> tuple[StockNoticeSubscription, str, str] | None:
    """The open subscription whose cancel link has this token hash, with its product's
    name and slug."""
    row = (
        await session.exec(
            select(StockNoticeSubscription, Product.name, Product.slug)
            .join(Product, col(Product.id) == col(StockNoticeSubscription.product_id))
            .where(
                StockNoticeSubscription.cancel_token_hash == cancel_token_hash,
                col(StockNoticeSubscription.status).in_(OPEN_STATUSES),
            )
            .with_for_update(of=StockNoticeSubscription)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])
