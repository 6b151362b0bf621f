"""Row locks of merchandising (`SELECT … FOR UPDATE`), for the caller's transaction: a
collection or promotion being replaced or deleted, or NotFoundError."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.merchandising.models import Collection, Promotion

COLLECTION_NOT_FOUND = "There is no such collection."
PROMOTION_NOT_FOUND = "There is no such promotion."


async def lock_collection_for_update(session: AsyncSession, collection_id: uuid.UUID) -> Collection:
    found = await session.get(Collection, collection_id, with_for_update=True)
    if found is None:
        raise NotFoundError(COLLECTION_NOT_FOUND)
    return found


async def lock_promotion_for_update(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    found = await session.get(Promotion, promotion_id, with_for_update=True)
    if found is None:
        raise NotFoundError(PROMOTION_NOT_FOUND)
    return found
