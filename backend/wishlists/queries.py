"""Reading wishlists: the viewer's own (and which products they saved, for product cards)
and one shared by its link. Product listings ask `saved_product_ids` once per page, never
once per card."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.merchandising.storefront_catalog import at_todays_prices
from backend.wishlists.models import Wishlist, WishlistItem
from backend.wishlists.schemas import SavedProduct, WishlistView

MAX_SHARE_TOKEN_LENGTH = 64


async def saved_product_ids(viewer: Viewer) -> set[uuid.UUID]:
    """Every product the viewer saved: one indexed query, for all cards of a page."""
    async with read_scope() as session:
        rows = await session.exec(
            select(WishlistItem.product_id)
            .join(Wishlist, col(Wishlist.id) == col(WishlistItem.wishlist_id))
            .where(Wishlist.user_id == viewer.user_id)
        )
        return set(rows.all())


async def _items(session: AsyncSession, wishlist_id: uuid.UUID) -> list[tuple[uuid.UUID, datetime]]:
    rows = await session.exec(
        select(WishlistItem.product_id, WishlistItem.created_at)
        .where(WishlistItem.wishlist_id == wishlist_id)
        .order_by(col(WishlistItem.created_at).desc(), col(WishlistItem.id))
    )
    return list(rows.all())


async def _view(entries: list[tuple[uuid.UUID, datetime]], share_token: str | None) -> WishlistView:
    # Prices (under today's promotions) and stock as they are now, for the whole list.
    products = await at_todays_prices(
        await catalog.get_product_summaries([product_id for product_id, _ in entries])
    )
    return WishlistView(
        items=tuple(
            SavedProduct(products[product_id], saved_at)
            for product_id, saved_at in entries
            if product_id in products
        ),
        share_token=share_token,
    )


async def get_wishlist(viewer: Viewer) -> WishlistView:
    """The viewer's saved products, newest first, with today's price and availability."""
    async with read_scope() as session:
        wishlist = (
            await session.exec(select(Wishlist).where(Wishlist.user_id == viewer.user_id))
        ).first()
        if wishlist is None:
            return WishlistView(items=(), share_token=None)
        entries = await _items(session, wishlist.id)
        token = wishlist.share_token
    return await _view(entries, token)


async def get_shared_wishlist(share_token: str) -> WishlistView:
    """A list by its share link: read-only, and without anything about its owner. Hidden
    products are left out. NotFoundError for unknown or revoked links."""
    token = str(share_token or "")
    if not token or len(token) > MAX_SHARE_TOKEN_LENGTH:
        raise NotFoundError("This wishlist does not exist or is no longer shared.")
    async with read_scope() as session:
        wishlist_id = (
            await session.exec(select(Wishlist.id).where(Wishlist.share_token == token))
        ).first()
        if wishlist_id is None:
            raise NotFoundError("This wishlist does not exist or is no longer shared.")
        entries = await _items(session, wishlist_id)
    view = await _view(entries, None)
    return WishlistView(
        items=tuple(item for item in view.items if item.product.is_active), share_token=None
    )
