"""Carts in Redis: capped quantities, prices read from the catalog now, merging at sign-in."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog import services as catalog
from backend.core.errors import InvalidInputError, NotFoundError
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct


async def test_adding_twice_sums_and_prices_come_from_the_catalog(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    mug = await make_product(price=Decimal("12.50"), stock_quantity=8)

    await carts.add_item(guest_cart, mug, 2)
    change = await carts.add_item(guest_cart, mug, 1)

    assert change.cart.item_count == 3
    assert change.cart.subtotal == Decimal("37.50")
    await catalog.update_product(mug, {"price": Decimal("10.00")}, actor=await catalog_manager())
    assert (await carts.get_cart(guest_cart)).subtotal == Decimal("30.00")  # never stale


async def test_quantities_are_capped_at_stock_and_the_line_limit(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    scarce = await make_product(stock_quantity=3)
    plenty = await make_product(stock_quantity=500)

    capped = await carts.add_item(guest_cart, scarce, 5)
    limited = await carts.set_quantity(guest_cart, plenty, 400)

    lines = {line.product_id: line.quantity for line in limited.cart.lines}
    assert lines == {scarce: 3, plenty: 10}
    assert "Only 3" in capped.message
    assert "at most 10" in limited.message


async def test_sold_out_inactive_and_unknown_products_cannot_be_added(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    sold_out = await make_product(stock_quantity=0)
    hidden = await make_product(is_active=False)

    with pytest.raises(carts.SoldOutError, match="sold out"):
        await carts.add_item(guest_cart, sold_out)
    for product_id in (hidden, uuid.uuid4()):
        with pytest.raises(NotFoundError):
            await carts.add_item(guest_cart, product_id)
    with pytest.raises(InvalidInputError):
        await carts.add_item(guest_cart, sold_out, -1)
    assert (await carts.get_cart(guest_cart)).lines == ()


async def test_a_line_that_can_no_longer_be_bought_says_why(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    lamp = await make_product(stock_quantity=5)
    await carts.add_item(guest_cart, lamp, 4)
    await catalog.update_product(lamp, {"stock_quantity": 2}, actor=await catalog_manager())

    cart = await carts.get_cart(guest_cart)

    assert cart.lines[0].problem == "Only 2 left"
    assert not cart.ready_for_checkout
    assert cart.subtotal == Decimal("0.00")  # not counted until fixed


async def test_sign_in_merges_the_guest_cart_capped_at_stock(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    shared = await make_product(stock_quantity=4)
    guest_only = await make_product(stock_quantity=9)
    user = carts.user_owner(uuid.uuid4())
    await carts.add_item(user, shared, 3)
    await carts.add_item(guest_cart, shared, 3)
    await carts.add_item(guest_cart, guest_only, 2)

    merged = await carts.merge_guest_cart(guest_cart, user)

    assert {line.product_id: line.quantity for line in merged.lines} == {
        shared: 4,
        guest_only: 2,
    }
    assert await carts.item_count(guest_cart) == 0


def test_malformed_guest_tokens_have_no_cart() -> None:
    for token in (None, "", "short", "x" * 200, "bad token with spaces and more than 32 chars"):
        assert carts.guest_owner(token) is None
    assert carts.guest_owner(carts.new_guest_token()) is not None
