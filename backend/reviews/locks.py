"""Row locks of the reviews domain. Order, always: the product row first
(`backend.catalog.ratings.lock_product_for_update`), then the review, so two writers
never wait on each other in opposite orders."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.reviews.models import Review

REVIEW_NOT_FOUND = "There is no such review."


async def lock_review_for_update(session: AsyncSession, review_id: uuid.UUID) -> Review:
    review = (
        await session.exec(select(Review).where(col(Review.id) == review_id).with_for_update())
    ).first()
    if review is None:
        raise NotFoundError(REVIEW_NOT_FOUND)
    return review
