"""A person's reviews when their account is erased: the rating and words stay (the
product's rating stays true), signed by no one."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.reviews.models import Review

FORMER_CUSTOMER = "A former customer"


async def anonymise_reviews(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(
        update(Review)
        .where(col(Review.user_id) == user_id)
        .values(author_name=FORMER_CUSTOMER, user_id=None)
    )
