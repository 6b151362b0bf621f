"""Row locks of wishlists (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.wishlists.models import Wishlist


async def lock_wishlist_for_update(session: AsyncSession, wishlist_id: uuid.UUID) -> Wishlist:
    return await session.get_one(Wishlist, wishlist_id, with_for_update=True)


async def lock_wishlist_of_user_for_update(
    session: AsyncSession, user_id: uuid.UUID
) -> Wishlist | None:
    """`user_id`'s wishlist, or None while they have never saved anything."""
    return (
        await session.exec(select(Wishlist).where(Wishlist.user_id == user_id).with_for_update())
    ).first()
