"""Carts in Redis: capped quantities, prices read from the catalog now, merging at sign-in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from backend.cart import merge as cart_merge
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.errors import SoldOutError
from backend.cart.schemas import CartOwner
from backend.catalog import services as catalog
from backend.core.errors import InvalidInputError, NotFoundError
from backend.inventory import services as inventory
from backend.settings import get_settings
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
    assert (await cart_queries.get_cart(guest_cart)).subtotal == Decimal("30.00")  # never stale


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

    with pytest.raises(SoldOutError, match="sold out"):
        await carts.add_item(guest_cart, sold_out)
    for product_id in (hidden, uuid.uuid4()):
        with pytest.raises(NotFoundError):
            await carts.add_item(guest_cart, product_id)
    with pytest.raises(InvalidInputError):
        await carts.add_item(guest_cart, sold_out, -1)
    assert (await cart_queries.get_cart(guest_cart)).lines == ()


async def test_a_line_that_can_no_longer_be_bought_says_why(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    lamp = await make_product(stock_quantity=5)
    await carts.add_item(guest_cart, lamp, 4)
    await inventory.adjust_stock(
        lamp, change=-3, reason="correction", actor=await catalog_manager()
    )

    cart = await cart_queries.get_cart(guest_cart)

    assert cart.lines[0].problem == "Only 2 left"
    assert not cart.ready_for_checkout
    assert cart.subtotal == Decimal("0.00")  # not counted until fixed


async def test_sign_in_merges_the_guest_cart_capped_at_stock(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    shared = await make_product(stock_quantity=4)
    guest_only = await make_product(stock_quantity=9)
    user = cart_owners.user_owner(uuid.uuid4())
    await carts.add_item(user, shared, 3)
    await carts.add_item(guest_cart, shared, 3)
    await carts.add_item(guest_cart, guest_only, 2)

    merged = await cart_merge.merge_guest_cart(guest_cart, user)

    assert {line.product_id: line.quantity for line in merged.lines} == {
        shared: 4,
        guest_only: 2,
    }
    assert await cart_queries.item_count(guest_cart) == 0


def test_malformed_guest_tokens_have_no_cart() -> None:
    for token in (None, "", "short", "x" * 200, "bad token with spaces and more than 32 chars"):
        assert cart_owners.guest_owner(token) is None
    assert cart_owners.guest_owner(cart_owners.new_guest_token()) is not None


# ── Two tabs at once ─────────────────────────────────────────────────────────────
# Each round is a fresh cart and two changes started together with asyncio.gather: both
# run their Redis commands over separate connections of the client's pool, so their reads
# and writes interleave as two web processes' would. The old read-change-write lost one
# increment in most rounds.

ROUNDS = 40


def _fresh_guest() -> CartOwner:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    return owner


async def _quantity(owner: CartOwner, product_id: uuid.UUID) -> int:
    return (await cart_queries.held_quantities(owner)).get(product_id, 0)


@pytest.fixture
def small_cart_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("CART_MAX_LINES", "3")
    get_settings.cache_clear()
    yield 3
    monkeypatch.delenv("CART_MAX_LINES")
    get_settings.cache_clear()


async def test_two_tabs_adding_the_same_product_at_once_both_count(
    make_product: MakeProduct,
) -> None:
    mug = await make_product(stock_quantity=500)
    results = []
    for _ in range(ROUNDS):
        owner = _fresh_guest()
        await asyncio.gather(carts.add_item(owner, mug, 1), carts.add_item(owner, mug, 1))
        results.append(await _quantity(owner, mug))

    lost = [result for result in results if result != 2]
    assert not lost, f"{len(lost)} of {ROUNDS} rounds lost an add: {lost}"


async def test_two_tabs_adding_past_the_line_limit_get_exactly_the_limit(
    make_product: MakeProduct,
) -> None:
    limit = get_settings().cart_max_line_quantity
    scarce = await make_product(stock_quantity=limit + 3)
    plenty = await make_product(stock_quantity=500)
    results = []
    for _ in range(ROUNDS):
        owner = _fresh_guest()
        await asyncio.gather(
            carts.add_item(owner, plenty, limit - 2), carts.add_item(owner, plenty, limit - 2)
        )
        await asyncio.gather(carts.add_item(owner, scarce, 2), carts.add_item(owner, scarce, 2))
        results.append((await _quantity(owner, plenty), await _quantity(owner, scarce)))

    wrong = [result for result in results if result != (limit, 4)]
    assert not wrong, f"{len(wrong)} of {ROUNDS} rounds ended with {wrong}"


async def test_two_tabs_adding_past_the_lines_limit_fill_it_and_no_more(
    make_product: MakeProduct, small_cart_limit: int
) -> None:
    first, second, lamp, vase = [await make_product(stock_quantity=500) for _ in range(4)]
    refused, lines = 0, []
    for _ in range(ROUNDS):
        owner = _fresh_guest()
        await carts.add_item(owner, first)
        await carts.add_item(owner, second)
        outcomes = await asyncio.gather(
            carts.add_item(owner, lamp), carts.add_item(owner, vase), return_exceptions=True
        )
        refused += sum(isinstance(outcome, InvalidInputError) for outcome in outcomes)
        lines.append(len(await cart_queries.held_quantities(owner)))

    over = [count for count in lines if count != small_cart_limit]
    assert not over, f"{len(over)} of {ROUNDS} rounds ended with {over} lines"
    assert refused == ROUNDS  # one of the two, every round


async def test_an_add_while_the_guest_cart_merges_is_kept(make_product: MakeProduct) -> None:
    mug = await make_product(stock_quantity=500)
    results = []
    for _ in range(ROUNDS):
        guest, user = _fresh_guest(), cart_owners.user_owner(uuid.uuid4())
        await carts.add_item(guest, mug, 1)
        await carts.add_item(user, mug, 1)
        await asyncio.gather(cart_merge.merge_guest_cart(guest, user), carts.add_item(user, mug, 1))
        results.append(await _quantity(user, mug))

    lost = [result for result in results if result != 3]
    assert not lost, f"{len(lost)} of {ROUNDS} rounds lost an add: {lost}"


async def test_a_quantity_set_in_one_tab_while_another_adds_ends_as_one_of_the_two_orders(
    make_product: MakeProduct,
) -> None:
    mug = await make_product(stock_quantity=500)
    results = []
    for _ in range(ROUNDS):
        owner = _fresh_guest()
        await carts.add_item(owner, mug, 1)
        await asyncio.gather(carts.set_quantity(owner, mug, 5), carts.add_item(owner, mug, 2))
        results.append(await _quantity(owner, mug))

    # Set then add (7), or add then set (5): never the add's stale 1 + 2.
    stale = [result for result in results if result not in (5, 7)]
    assert not stale, f"{len(stale)} of {ROUNDS} rounds ended with {stale}"


async def test_a_guest_add_during_the_merge_lands_in_one_of_the_two_carts(
    make_product: MakeProduct,
) -> None:
    mug, lamp = await make_product(stock_quantity=500), await make_product(stock_quantity=500)
    results = []
    for _ in range(ROUNDS):
        guest, user = _fresh_guest(), cart_owners.user_owner(uuid.uuid4())
        await carts.add_item(guest, mug, 1)
        await asyncio.gather(
            cart_merge.merge_guest_cart(guest, user), carts.add_item(guest, lamp, 1)
        )
        results.append((await _quantity(user, mug), await _quantity(user, lamp)))
        results[-1] += (await _quantity(guest, lamp),)

    # The lamp is in the shopper's cart (added before the merge) or in a new guest cart
    # (after it), never lost and never in both.
    assert {result[0] for result in results} == {1}
    assert all(in_user + in_guest == 1 for _, in_user, in_guest in results)


async def test_merging_adds_new_lines_only_while_the_cart_has_room(
    make_product: MakeProduct, small_cart_limit: int
) -> None:
    products = [await make_product(stock_quantity=500) for _ in range(4)]
    guest, user = _fresh_guest(), cart_owners.user_owner(uuid.uuid4())
    await carts.add_item(user, products[0], 1)
    await carts.add_item(user, products[1], 1)
    for product_id in (products[1], products[2], products[3]):
        await carts.add_item(guest, product_id, 2)

    merged = await cart_merge.merge_guest_cart(guest, user)

    quantities = {line.product_id: line.quantity for line in merged.lines}
    assert len(quantities) == small_cart_limit
    assert quantities[products[1]] == 3  # an existing line always takes the guest's items
    assert await cart_queries.item_count(guest) == 0


async def test_setting_a_quantity_cannot_add_a_line_to_a_full_cart(
    make_product: MakeProduct, small_cart_limit: int
) -> None:
    products = [await make_product(stock_quantity=500) for _ in range(small_cart_limit + 1)]
    owner = _fresh_guest()
    for product_id in products[:-1]:
        await carts.add_item(owner, product_id)

    with pytest.raises(InvalidInputError, match="Your cart is full"):
        await carts.set_quantity(owner, products[-1], 2)
    changed = await carts.set_quantity(owner, products[0], 4)  # an existing line still can

    assert len(changed.cart.lines) == small_cart_limit
    assert await cart_queries.item_count(owner) == 4 + small_cart_limit - 1


async def test_all_or_nothing_refuses_a_capped_change_and_keeps_the_line(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    few = await make_product(stock_quantity=3, name="Rare Vase")
    await carts.add_item(guest_cart, few, 2)

    with pytest.raises(SoldOutError, match="Only 3 of Rare Vase left"):
        await carts.add_item(guest_cart, few, 2, all_or_nothing=True)
    with pytest.raises(SoldOutError, match="you asked for 5"):
        await carts.set_quantity(guest_cart, few, 5, all_or_nothing=True)

    assert await cart_queries.held_quantities(guest_cart) == {few: 2}
