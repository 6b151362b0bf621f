"""Wishlist use cases: save, remove, move to cart, share and revoke the share link.

Every change acts on the viewer's own wishlist (found by the viewer's user id, never by
an id from the browser), so one shopper cannot touch another's list.
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog import queries as catalog
from backend.catalog.variant_queries import get_variant_summaries, variant_for_product
from backend.core.db import session_scope
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.settings import get_settings
from backend.wishlists.locks import lock_wishlist_for_update, lock_wishlist_of_user_for_update
from backend.wishlists.models import Wishlist, WishlistItem
from backend.wishlists.schemas import MoveResult


async def _wishlist_id(session: AsyncSession, user_id: uuid.UUID) -> uuid.UUID | None:
    """The viewer's wishlist id, None while they have never saved anything."""
    return (await session.exec(select(Wishlist.id).where(Wishlist.user_id == user_id))).first()


async def _made_wishlist_id(session: AsyncSession, user_id: uuid.UUID) -> uuid.UUID:
    """The viewer's wishlist id, made on first use (race-safe: the UNIQUE on user_id lets
    only one row exist)."""
    await session.exec(
        insert(Wishlist).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"])
    )
    return (await session.exec(select(Wishlist.id).where(Wishlist.user_id == user_id))).one()


async def save_product(
    viewer: Viewer, product_id: uuid.UUID, variant_id: uuid.UUID | None = None
) -> None:
    """Add a product to the viewer's wishlist, with the size or colour chosen if any
    (saving it again keeps one entry, with the latest choice)."""
    product = (await catalog.get_product_summaries([product_id])).get(product_id)
    if product is None or not product.is_active:
        raise NotFoundError("This product is no longer sold.")
    async with session_scope() as session:
        wishlist_id = await _made_wishlist_id(session, viewer.user_id)
        # Row-lock the wishlist so two tabs cannot both pass the size check.
        await lock_wishlist_for_update(session, wishlist_id)
        count = (
            await session.exec(
                select(func.count())
                .select_from(WishlistItem)
                .where(WishlistItem.wishlist_id == wishlist_id)
            )
        ).one()
        limit = get_settings().wishlist_max_items
        if count >= limit:
            raise InvalidInputError(
                f"Your wishlist is full ({limit} products). Remove some to save more."
            )
        if variant_id is not None:
            variant = (await get_variant_summaries([variant_id], session=session)).get(variant_id)
            if variant is None or variant.product_id != product_id:
                raise NotFoundError("This product has no such size or colour.")
        statement = insert(WishlistItem).values(
            wishlist_id=wishlist_id, product_id=product_id, variant_id=variant_id
        )
        await session.exec(
            statement.on_conflict_do_update(
                index_elements=["wishlist_id", "product_id"],
                set_={"variant_id": statement.excluded.variant_id},
            )
            if variant_id is not None
            else statement.on_conflict_do_nothing(index_elements=["wishlist_id", "product_id"])
        )


async def remove_product(viewer: Viewer, product_id: uuid.UUID) -> bool:
    """Take a product off the viewer's own wishlist; False if it was not on it."""
    async with session_scope() as session:
        wishlist_id = await _wishlist_id(session, viewer.user_id)
        if wishlist_id is None:
            return False
        result = await session.exec(
            delete(WishlistItem).where(
                col(WishlistItem.wishlist_id) == wishlist_id,
                col(WishlistItem.product_id) == product_id,
            )
        )
        return bool(result.rowcount)


async def create_share_link(viewer: Viewer) -> str:
    """A new random share token for the viewer's wishlist (replacing any old one, whose
    link then stops working)."""
    token = secrets.token_urlsafe(24)
    async with session_scope() as session:
        wishlist_id = await _made_wishlist_id(session, viewer.user_id)
        wishlist = await lock_wishlist_for_update(session, wishlist_id)
        wishlist.share_token = token
    return token


async def revoke_share_link(viewer: Viewer) -> None:
    """Stop sharing: the old link shows "not found" from now on."""
    async with session_scope() as session:
        wishlist = await lock_wishlist_of_user_for_update(session, viewer.user_id)
        if wishlist is not None:
            wishlist.share_token = None


async def move_to_cart(viewer: Viewer, product_id: uuid.UUID, owner: CartOwner) -> MoveResult:
    """Add one of a saved product to the viewer's cart through the cart's own rules (stock,
    per-line and per-cart limits); only if that succeeded is it taken off the wishlist."""
    async with session_scope() as session:
        wishlist_id = await _wishlist_id(session, viewer.user_id)
        saved = (
            None
            if wishlist_id is None
            else (
                await session.exec(
                    select(WishlistItem.id, WishlistItem.variant_id).where(
                        WishlistItem.wishlist_id == wishlist_id,
                        WishlistItem.product_id == product_id,
                    )
                )
            ).first()
        )
    if saved is None:
        raise NotFoundError("This product is not on your wishlist.")
    try:
        # The size or colour saved with it; else the product's only variant (a product
        # with several needs a choice: the message says so).
        variant_id = saved[1] or await variant_for_product(product_id)
        change = await carts.add_item(owner, variant_id, 1)
    except DomainError as error:
        return MoveResult(False, error.message)
    await remove_product(viewer, product_id)
    return MoveResult(True, change.message)
