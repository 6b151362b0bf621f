"""Everything downstream of the catalog names the variant (issue #18): stock reserved per
variant under concurrency, carts and order lines, the confirmation e-mail, buy again,
returns, back-in-stock notices and wishlists."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog import queries, variants
from backend.catalog.models import ProductVariant
from backend.catalog.variant_queries import variant_for_product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.inventory import services as inventory
from backend.inventory.models import StockMovement
from backend.inventory.services import OutOfStockError
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.models import OrderLine
from backend.orders.reorder import buy_again
from backend.stock_notices import services as stock_notices
from backend.wishlists import services as wishlists
from jobs.event_handlers.order_emails import send_order_confirmation
from tests.fixtures.accounts import MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details
from tests.integration.test_stock_notices import events, mails, run_stock_handlers, signed_in


async def _jacket(
    make_product: MakeProduct, unique: str, stock: dict[str, int]
) -> dict[str, uuid.UUID]:
    """A jacket in sizes S, M, L (Navy), with the given stock per size; size → variant id."""
    product_id = await make_product(name=f"Storm Jacket {unique}")
    sizes = list(stock)
    await variants.save_variants(
        product_id,
        {
            "options": [{"name": "Size", "values": sizes}, {"name": "Colour", "values": ["Navy"]}],
            "variants": [
                {
                    "sku": f"SJ-{unique}-{size}",
                    "price": "90.00" if size == "L" else "80.00",
                    "option_values": [size, "Navy"],
                    "stock_quantity": count,
                }
                for size, count in stock.items()
            ],
        },
        actor=await catalog_manager(),
    )
    record = await queries.get_product(product_id)
    return {v.option_values[0]: v.id for v in record.variants} | {"product": product_id}


async def _variant_stock(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


def _new_cart() -> CartOwner:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    return owner


async def _place(owner: CartOwner) -> orders.PlacedOrder:
    return await orders.place_order(
        cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )


@pytest.mark.slow
async def test_100_buyers_race_for_the_last_3_of_size_m_while_size_l_sells_apart(
    make_product: MakeProduct, unique: str
) -> None:
    jacket = await _jacket(make_product, unique, {"S": 0, "M": 3, "L": 5})
    m_buyers, l_buyers = [], []
    for _ in range(100):
        owner = _new_cart()
        await carts.add_item(owner, jacket["M"], 1)
        m_buyers.append(owner)
    for _ in range(4):
        owner = _new_cart()
        await carts.add_item(owner, jacket["L"], 1)
        l_buyers.append(owner)

    async def checkout(owner: CartOwner) -> str:
        try:
            await _place(owner)
        except OutOfStockError as error:
            return error.message
        return "ordered"

    outcomes = await asyncio.gather(*(checkout(owner) for owner in [*m_buyers, *l_buyers]))

    m_outcomes, l_outcomes = outcomes[:100], outcomes[100:]
    assert m_outcomes.count("ordered") == 3
    assert all("(M / Navy) just sold out" in o for o in m_outcomes if o != "ordered")
    assert l_outcomes == ["ordered"] * 4  # L's buyers never lose to M's race
    assert (await _variant_stock(jacket["M"]), await _variant_stock(jacket["L"])) == (0, 1)
    record = await queries.get_product(jacket["product"])
    assert record.summary.stock_quantity == 1  # the product row: the sum, never negative
    async with session_scope() as session:
        sold = (
            await session.exec(
                select(OrderLine.variant_id, OrderLine.quantity).where(
                    OrderLine.product_id == jacket["product"]
                )
            )
        ).all()
        ledger = (
            await session.exec(
                select(StockMovement.variant_id, StockMovement.quantity_after).where(
                    StockMovement.product_id == jacket["product"]
                )
            )
        ).all()
    assert sorted(v for v, _ in sold).count(jacket["M"]) == 3
    assert min(after for _, after in ledger) >= 0
    assert {v for v, _ in ledger} == {jacket["M"], jacket["L"]}


async def test_cart_order_and_email_name_the_size_and_colour(
    make_product: MakeProduct, unique: str
) -> None:
    jacket = await _jacket(make_product, unique, {"M": 4, "L": 4})
    owner = _new_cart()
    await carts.add_item(owner, jacket["M"], 1)
    await carts.add_item(owner, jacket["L"], 2)
    await carts.add_item(owner, jacket["M"], 1)  # the same variant again: one line

    cart = await cart_queries.get_cart(owner)
    assert [(line.title, line.quantity, line.unit_price) for line in cart.lines] == [
        ("L / Navy", 2, Decimal("90.00")),
        ("M / Navy", 2, Decimal("80.00")),
    ]
    assert {line.product_id for line in cart.lines} == {jacket["product"]}

    buyer = f"buyer-{unique}@example.com"
    placed = await orders.place_order(
        cart_owner=owner, details=checkout_details(email=buyer), checkout_key=uuid.uuid4().hex
    )
    order = await order_queries.get_order(placed.number)
    assert sorted((line.sku, line.options, line.variant_id) for line in order.lines) == [
        (f"SJ-{unique}-L", (("Size", "L"), ("Colour", "Navy")), jacket["L"]),
        (f"SJ-{unique}-M", (("Size", "M"), ("Colour", "Navy")), jacket["M"]),
    ]
    assert sorted(line.options_title for line in order.lines) == ["L / Navy", "M / Navy"]

    [event] = await events("OrderPlaced", [str(placed.id)])
    await send_order_confirmation(event)  # type: ignore[arg-type]
    [mail] = await mails(buyer, "order_confirmation")
    assert f"Storm Jacket {unique}, M / Navy (SJ-{unique}-M)" in mail.body_text
    assert "L / Navy" in (mail.body_html or "")


async def test_cancelling_returns_stock_to_the_variant_bought(
    make_product: MakeProduct, unique: str, admin_viewer: Viewer
) -> None:
    jacket = await _jacket(make_product, unique, {"M": 4, "L": 4})
    owner = _new_cart()
    await carts.add_item(owner, jacket["M"], 3)
    placed = await _place(owner)
    assert await _variant_stock(jacket["M"]) == 1
    await orders.cancel_unpaid_order(placed.id, by=admin_viewer)
    assert (await _variant_stock(jacket["M"]), await _variant_stock(jacket["L"])) == (4, 4)
    assert (await queries.get_product(jacket["product"])).summary.stock_quantity == 8


async def test_a_multi_variant_product_cannot_be_added_by_its_product_id_alone(
    make_product: MakeProduct, unique: str
) -> None:
    jacket = await _jacket(make_product, unique, {"M": 4, "L": 4})
    owner = _new_cart()
    with pytest.raises(NotFoundError, match="no longer sold"):
        await carts.add_item(owner, uuid.uuid4(), 1)
    # The product's first variant (its own id) was replaced by the sizes: the product id
    # alone names nothing to buy, and the API's resolution asks for a choice.
    record = await queries.get_product(jacket["product"])
    assert jacket["product"] not in {v.id for v in record.variants}
    with pytest.raises(NotFoundError):
        await carts.add_item(owner, jacket["product"], 1)
    with pytest.raises(InvalidInputError, match="Choose a size"):
        await variant_for_product(jacket["product"])


async def test_buy_again_adds_the_same_variants(make_product: MakeProduct, unique: str) -> None:
    jacket = await _jacket(make_product, unique, {"M": 4, "L": 4})
    owner = _new_cart()
    await carts.add_item(owner, jacket["L"], 2)
    placed = await _place(owner)
    again = _new_cart()
    result = await buy_again(await order_queries.get_order(placed.number), again)
    assert result.unavailable == ()
    [line] = (await cart_queries.get_cart(again)).lines
    assert (line.variant_id, line.quantity, line.title) == (jacket["L"], 2, "L / Navy")


async def test_staff_restock_of_size_m_emails_only_who_waits_for_m(
    make_product: MakeProduct, make_user: MakeUser, unique: str, admin_viewer: Viewer
) -> None:
    jacket = await _jacket(make_product, unique, {"M": 0, "L": 0})
    waits_for_m, waits_for_l = await signed_in(make_user), await signed_in(make_user)
    await stock_notices.subscribe_viewer(jacket["M"], waits_for_m)
    await stock_notices.subscribe_viewer(jacket["L"], waits_for_l)

    await inventory.adjust_stock(jacket["M"], change=5, reason="restock", actor=admin_viewer)
    await run_stock_handlers(jacket["product"])

    [mail] = await mails(waits_for_m.email, "back_in_stock")
    assert "M / Navy" in mail.subject or "M / Navy" in mail.body_text
    assert f"variant={jacket['M']}" in mail.body_text
    assert await mails(waits_for_l.email, "back_in_stock") == []


async def test_a_wishlist_keeps_the_chosen_size_and_moves_it_to_the_cart(
    make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    jacket = await _jacket(make_product, unique, {"M": 4, "L": 4})
    viewer = await signed_in(make_user)
    owner = _new_cart()
    await wishlists.save_product(viewer, jacket["product"])
    moved = await wishlists.move_to_cart(viewer, jacket["product"], owner)
    assert not moved.moved  # several sizes and none chosen: the shopper is asked to choose
    assert "Choose a size" in moved.message
    await wishlists.save_product(viewer, jacket["product"], jacket["L"])
    moved = await wishlists.move_to_cart(viewer, jacket["product"], owner)
    assert moved.moved
    [line] = (await cart_queries.get_cart(owner)).lines
    assert line.variant_id == jacket["L"]
    with pytest.raises(NotFoundError, match="no such size"):
        await wishlists.save_product(viewer, jacket["product"], uuid.uuid4())


async def test_best_sellers_by_product_and_by_variant_and_reviews_name_the_size(
    make_product: MakeProduct, unique: str
) -> None:
    from datetime import timedelta

    from backend.analytics import sales
    from backend.core.clock import utcnow
    from backend.payments import services as payments
    from backend.payments import test_gateway as cards
    from tests.fixtures.checkout import tab_that_placed

    jacket = await _jacket(make_product, unique, {"M": 9, "L": 9})
    for size, quantity in (("M", 3), ("L", 1)):
        owner = _new_cart()
        await carts.add_item(owner, jacket[size], quantity)
        placed = await _place(owner)
        await payments.pay_order(
            placed.id,
            shopper=tab_that_placed(placed.id),
            payment_method=cards.SUCCEEDS,
            attempt_key=uuid.uuid4().hex,
        )
    today = utcnow().date()
    name = f"Storm Jacket {unique}"
    by_product = {
        p.name: p for p in await sales.top_products(today - timedelta(days=1), today, 1000)
    }
    assert (by_product[name].quantity, by_product[name].revenue) == (4, Decimal("330.00"))
    assert by_product[name].sku == "2 variants"
    by_variant = {
        p.name: p for p in await sales.top_variants(today - timedelta(days=1), today, 1000)
    }
    assert by_variant[f"{name} (M / Navy)"].quantity == 3
    assert by_variant[f"{name} (L / Navy)"].sku == f"SJ-{unique}-L"


async def test_a_cart_saved_before_variants_still_holds_its_products(
    make_product: MakeProduct,
) -> None:
    """Carts in Redis name products by id: each such product's one variant has that id,
    so a cart written before migration 0018 reads as it was, and can be bought."""
    from backend.cart.store import cart_key
    from backend.core.redis import get_redis

    mug = await make_product(stock_quantity=5)
    owner = _new_cart()
    await get_redis().hset(cart_key(owner), mapping={str(mug): "2"})  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    [line] = (await cart_queries.get_cart(owner)).lines
    assert (line.variant_id, line.product_id, line.quantity) == (mug, mug, 2)
    placed = await _place(owner)
    assert (await order_queries.get_order(placed.number)).lines[0].variant_id == mug
