"""A person's return requests when they are erased: kept for the books, without their
own words."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.returns.models import ReturnRequest


async def forget_comments(session: AsyncSession, order_ids: Collection[uuid.UUID]) -> None:
    if order_ids:
        await session.exec(
            update(ReturnRequest)
            .where(col(ReturnRequest.order_id).in_(list(order_ids)))
            .values(comment="", requested_by=None)
        )
