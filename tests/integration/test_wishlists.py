"""Wishlists: saved products with today's price, move to cart within the cart's limits,
a share link that can be revoked, and nobody changing anybody else's list."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from backend.accounts import authentication
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.catalog import services as catalog
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.settings import get_settings
from backend.wishlists import queries as wishlist_queries
from backend.wishlists import services as wishlists
from backend.wishlists.models import Wishlist, WishlistItem
from backend.wishlists.schemas import MoveResult, WishlistView
from tests.fixtures.accounts import MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct


async def signed_in(make_user: MakeUser) -> Viewer:
    credentials = await make_user()
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


def names(view: WishlistView) -> list[str]:
    return [item.product.name for item in view.items]


async def test_saved_products_show_todays_price_and_availability_newest_first(
    make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    ann = await signed_in(make_user)
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    lamp = await make_product(name=f"Lamp {unique}", stock_quantity=0)
    await wishlists.save_product(ann, kettle)
    await wishlists.save_product(ann, lamp)
    await wishlists.save_product(ann, kettle)  # saving twice keeps one entry
    await catalog.update_product(kettle, {"price": "35.50"}, actor=await catalog_manager())

    view = await wishlist_queries.get_wishlist(ann)

    assert names(view) == [f"Lamp {unique}", f"Kettle {unique}"]
    lamp_item, kettle_item = view.items
    assert kettle_item.product.price_display == "$35.50"
    assert (kettle_item.available, kettle_item.availability) == (True, "In stock")
    assert (lamp_item.available, lamp_item.availability) == (False, "Out of stock")
    assert await wishlist_queries.saved_product_ids(ann) == {kettle, lamp}


async def test_a_saved_product_on_sale_shows_its_sale_price(
    make_product: MakeProduct, make_user: MakeUser, category: uuid.UUID, unique: str
) -> None:
    from backend.merchandising import promotion_services
    from backend.merchandising.promotions import forget_cached

    ann = await signed_in(make_user)
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    await wishlists.save_product(ann, kettle)
    promotion = await promotion_services.save_promotion(
        None,
        {
            "title": "Kettles",
            "kind": "percent",
            "value": "25",
            "target": "category",
            "category_id": str(category),
        },
        actor=await catalog_manager(),
    )
    try:
        item = (await wishlist_queries.get_wishlist(ann)).items[0]
        assert (item.product.price_display, item.product.badge) == ("$30.00", "−25%")
    finally:
        await promotion_services.delete_promotion(promotion, actor=await catalog_manager())
        forget_cached()


async def test_removing_and_saving_unknown_products(
    make_product: MakeProduct, make_user: MakeUser
) -> None:
    ann = await signed_in(make_user)
    mug = await make_product()
    await wishlists.save_product(ann, mug)

    assert await wishlists.remove_product(ann, mug)
    assert not await wishlists.remove_product(ann, mug)
    assert await wishlist_queries.saved_product_ids(ann) == set()
    with pytest.raises(NotFoundError):
        await wishlists.save_product(ann, uuid.uuid4())


async def test_a_wishlist_holds_at_most_the_configured_number_of_products(
    make_product: MakeProduct, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WISHLIST_MAX_ITEMS", "2")
    get_settings.cache_clear()
    try:
        ann = await signed_in(make_user)
        first, second, third = [await make_product() for _ in range(3)]
        await wishlists.save_product(ann, first)
        await wishlists.save_product(ann, second)
        with pytest.raises(InvalidInputError, match="full"):
            await wishlists.save_product(ann, third)
    finally:
        monkeypatch.delenv("WISHLIST_MAX_ITEMS")
        get_settings.cache_clear()
    assert len(await wishlist_queries.saved_product_ids(ann)) == 2


async def test_move_to_cart_removes_the_product_only_when_the_cart_took_it(
    make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    ann = await signed_in(make_user)
    owner = cart_owners.user_owner(ann.user_id)
    kettle = await make_product(name=f"Kettle {unique}")
    sold_out = await make_product(name=f"Gone {unique}", stock_quantity=0)
    hidden = await make_product(name=f"Hidden {unique}")
    for product in (kettle, sold_out, hidden):
        await wishlists.save_product(ann, product)
    await catalog.set_product_active(hidden, active=False, actor=await catalog_manager())

    moved = await wishlists.move_to_cart(ann, kettle, owner)
    refused_sold_out = await wishlists.move_to_cart(ann, sold_out, owner)
    refused_hidden = await wishlists.move_to_cart(ann, hidden, owner)

    assert moved.moved
    assert refused_sold_out == MoveResult(False, f"Gone {unique} is sold out.")
    assert refused_hidden == MoveResult(False, "This product is no longer sold.")
    cart = await cart_queries.get_cart(owner)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(kettle, 1)]
    assert await wishlist_queries.saved_product_ids(ann) == {sold_out, hidden}
    with pytest.raises(NotFoundError):  # not on the list (any more)
        await wishlists.move_to_cart(ann, kettle, owner)


async def test_move_to_cart_respects_a_full_cart(
    make_product: MakeProduct, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await signed_in(make_user)
    owner = cart_owners.user_owner(ann.user_id)
    in_cart, wanted = await make_product(), await make_product()
    await carts.add_item(owner, in_cart, 1)
    await wishlists.save_product(ann, wanted)
    monkeypatch.setenv("CART_MAX_LINES", "1")
    get_settings.cache_clear()
    try:
        result = await wishlists.move_to_cart(ann, wanted, owner)
    finally:
        monkeypatch.delenv("CART_MAX_LINES")
        get_settings.cache_clear()

    assert not result.moved
    assert "cart is full" in result.message
    assert await wishlist_queries.saved_product_ids(ann) == {wanted}


async def test_a_share_link_shows_the_list_read_only_until_revoked_and_a_new_one_works(
    make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    ann = await signed_in(make_user)
    lamp = await make_product(name=f"Lamp {unique}")
    hidden = await make_product(name=f"Hidden {unique}")
    await wishlists.save_product(ann, lamp)
    await wishlists.save_product(ann, hidden)
    await catalog.set_product_active(hidden, active=False, actor=await catalog_manager())

    token = await wishlists.create_share_link(ann)
    shared = await wishlist_queries.get_shared_wishlist(token)
    assert names(shared) == [f"Lamp {unique}"]  # hidden products are left out
    assert shared.share_token is None
    assert len(token) >= 32

    await wishlists.revoke_share_link(ann)
    with pytest.raises(NotFoundError):
        await wishlist_queries.get_shared_wishlist(token)
    assert (await wishlist_queries.get_wishlist(ann)).share_token is None

    renewed = await wishlists.create_share_link(ann)
    assert renewed != token
    assert names(await wishlist_queries.get_shared_wishlist(renewed)) == [f"Lamp {unique}"]
    with pytest.raises(NotFoundError):
        await wishlist_queries.get_shared_wishlist(token)  # the old link stays dead
    for bad in ("", "x" * 500):
        with pytest.raises(NotFoundError):
            await wishlist_queries.get_shared_wishlist(bad)


async def test_one_shopper_cannot_change_or_see_another_shoppers_wishlist(
    make_product: MakeProduct, make_user: MakeUser
) -> None:
    ann, ben = await signed_in(make_user), await signed_in(make_user)
    lamp = await make_product()
    await wishlists.save_product(ann, lamp)
    ann_link = await wishlists.create_share_link(ann)

    # Ben acts with the same product id: only his own (empty) list is ever touched.
    assert not await wishlists.remove_product(ben, lamp)
    with pytest.raises(NotFoundError):
        await wishlists.move_to_cart(ben, lamp, cart_owners.user_owner(ben.user_id))
    await wishlists.revoke_share_link(ben)

    assert await wishlist_queries.saved_product_ids(ann) == {lamp}
    assert await wishlist_queries.saved_product_ids(ben) == set()
    assert (await wishlist_queries.get_wishlist(ben)).items == ()
    assert len((await wishlist_queries.get_shared_wishlist(ann_link)).items) == 1


async def test_the_database_refuses_a_product_twice_in_one_wishlist(
    make_product: MakeProduct, make_user: MakeUser
) -> None:
    ann = await signed_in(make_user)
    lamp = await make_product()
    await wishlists.save_product(ann, lamp)
    async with session_scope() as session:
        wishlist_id = (
            await session.exec(select(Wishlist.id).where(Wishlist.user_id == ann.user_id))
        ).one()
    with pytest.raises(IntegrityError):
        async with session_scope() as session:
            session.add(WishlistItem(wishlist_id=wishlist_id, product_id=lamp))
