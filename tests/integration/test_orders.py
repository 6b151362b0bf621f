"""Placing orders: one transaction that re-prices, reserves stock without ever overselling,
and yields one order per checkout however often it is submitted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog import services as catalog
from backend.catalog.models import Product, ProductVariant
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.inventory.models import StockMovement
from backend.inventory.services import OutOfStockError
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.errors import EmptyCartError, InvalidTransitionError
from backend.orders.models import Order, OrderLine, OrderStatusChange
from backend.orders.ownership import Shopper
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.queries import get_order_with_payments
from backend.pricing import discounts
from backend.pricing.errors import DiscountRefusedError
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, checkout_details, tab_that_placed


async def stock_of(product_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(Product.stock_quantity).where(Product.id == product_id))
        ).one()


async def test_an_order_snapshots_its_lines_and_totals_and_reserves_stock(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    mug = await make_product(price=Decimal("12.50"), stock_quantity=10)
    kettle = await make_product(price=Decimal("49.00"), stock_quantity=2)

    placed = await place_order({mug: 2, kettle: 1}, country="GB", shipping_method="express")

    async with session_scope() as session:
        order = (await session.exec(select(Order).where(Order.id == placed.id))).one()
        lines = (await session.exec(select(OrderLine).where(OrderLine.order_id == placed.id))).all()
        history = (
            await session.exec(
                select(OrderStatusChange).where(OrderStatusChange.order_id == placed.id)
            )
        ).all()
        ledger = (
            await session.exec(select(StockMovement).where(StockMovement.order_id == placed.id))
        ).all()
    assert (order.subtotal, order.shipping) == (Decimal("74.00"), Decimal("14.95"))
    assert order.tax == Decimal("17.79")  # 20 % of 88.95, rounded once
    assert order.total == Decimal("106.74")
    assert (order.status, order.payment_status) == ("pending_payment", "unpaid")
    assert sorted((line.quantity, line.unit_price, line.line_total) for line in lines) == [
        (1, Decimal("49.00"), Decimal("49.00")),
        (2, Decimal("12.50"), Decimal("25.00")),
    ]
    assert sum(line.line_total for line in lines) == order.subtotal
    assert {(h.axis, h.to_status) for h in history} == {
        ("order", "pending_payment"),
        ("payment", "unpaid"),
    }
    assert (await stock_of(mug), await stock_of(kettle)) == (8, 1)
    assert sorted(m.change for m in ledger) == [-2, -1]
    assert order.number.startswith("KG-")


async def test_free_standard_shipping_from_the_threshold(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    chair = await make_product(price=Decimal("80.00"))
    placed = await place_order({chair: 1})
    async with session_scope() as session:
        order = await session.get(Order, placed.id)
    assert order is not None
    assert order.shipping == Decimal("0.00")
    assert order.total == Decimal("80.00")  # US: no tax configured


async def test_the_same_checkout_submitted_twice_at_once_is_one_order(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    lamp = await make_product(stock_quantity=5)
    await carts.add_item(guest_cart, lamp, 2)
    key = uuid.uuid4().hex

    first, second = await asyncio.gather(
        *(
            orders.place_order(cart_owner=guest_cart, details=checkout_details(), checkout_key=key)
            for _ in range(2)
        )
    )

    assert first.id == second.id
    assert sorted([first.created, second.created]) == [False, True]
    assert await stock_of(lamp) == 3


@pytest.mark.slow
async def test_200_buyers_for_10_in_stock_make_exactly_10_orders(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    hot = await make_product(stock_quantity=10)
    # Carts are filled first (adding caps at stock), then everybody checks out at once.
    owners = []
    for _ in range(200):
        owner = cart_owners.guest_owner(cart_owners.new_guest_token())
        assert owner is not None
        await carts.add_item(owner, hot, 1)
        owners.append(owner)

    async def checkout(owner: CartOwner) -> str:
        try:
            await orders.place_order(
                cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
            )
        except OutOfStockError as error:
            return error.message
        return "ordered"

    outcomes = await asyncio.gather(*(checkout(owner) for owner in owners))

    assert outcomes.count("ordered") == 10
    assert all("sold out" in outcome for outcome in outcomes if outcome != "ordered")
    assert await stock_of(hot) == 0
    async with session_scope() as session:
        sold = (
            await session.exec(select(OrderLine.quantity).where(OrderLine.product_id == hot))
        ).all()
    assert sum(sold) == 10


async def test_an_out_of_stock_line_leaves_nothing_reserved_or_written(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    plenty = await make_product(stock_quantity=10)
    scarce = await make_product(stock_quantity=2, name=f"Scarce {uuid.uuid4().hex[:6]}")
    await carts.add_item(guest_cart, plenty, 3)
    await carts.add_item(guest_cart, scarce, 2)
    async with session_scope() as session:  # someone else bought one meanwhile
        # (Its one variant has the product's id; the product's stock follows it.)
        await session.exec(
            update(ProductVariant).where(ProductVariant.id == scarce).values(stock_quantity=1)
        )

    with pytest.raises(OutOfStockError, match="only 1 of Scarce"):
        await orders.place_order(
            cart_owner=guest_cart, details=checkout_details(), checkout_key=uuid.uuid4().hex
        )

    assert (await stock_of(plenty), await stock_of(scarce)) == (10, 1)
    assert (await cart_queries.get_cart(guest_cart)).item_count == 5  # the cart is kept


async def test_orders_charge_todays_price_not_the_carts(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    vase = await make_product(price=Decimal("30.00"))
    await carts.add_item(guest_cart, vase, 1)
    await catalog.update_product(vase, {"price": Decimal("35.00")}, actor=await catalog_manager())

    placed = await orders.place_order(
        cart_owner=guest_cart, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )

    assert placed.total == Decimal("39.95")  # 35.00 + 4.95 shipping


async def test_a_discount_code_with_one_use_left_is_redeemed_once(
    make_product: MakeProduct, place_order: PlaceOrder, unique: str, admin_viewer: Viewer
) -> None:
    item = await make_product(price=Decimal("50.00"), stock_quantity=10)
    code = f"ONCE{unique}"[:40]
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), usage_limit=1, actor=admin_viewer
    )

    results = await asyncio.gather(
        place_order({item: 1}, discount_code=code.lower()),
        place_order({item: 1}, discount_code=code),
        return_exceptions=True,
    )

    placed = [r for r in results if isinstance(r, orders.PlacedOrder)]
    refused = [r for r in results if isinstance(r, DiscountRefusedError)]
    assert len(placed) == 1
    assert len(refused) == 1
    assert "used up" in refused[0].message
    assert placed[0].total == Decimal("49.95")  # 50 − 5 + 4.95
    assert await stock_of(item) == 9  # the refused order reserved nothing


async def test_discount_rules_are_explained(
    make_product: MakeProduct, place_order: PlaceOrder, unique: str, admin_viewer: Viewer
) -> None:
    item = await make_product(price=Decimal("20.00"))
    await discounts.create_discount_code(
        f"MIN{unique}",
        kind="fixed",
        value=Decimal(5),
        min_subtotal=Decimal(50),
        actor=admin_viewer,
    )
    await discounts.create_discount_code(
        f"OLD{unique}",
        kind="fixed",
        value=Decimal(5),
        expires_at=discounts.utcnow() - timedelta(days=1),
        actor=admin_viewer,
    )
    await discounts.create_discount_code(
        f"OFF{unique}", kind="percent", value=Decimal(50), actor=admin_viewer
    )
    await discounts.set_discount_active(f"off{unique}", active=False, actor=admin_viewer)

    with pytest.raises(DiscountRefusedError, match=r"Spend \$30.00 more"):
        await place_order({item: 1}, discount_code=f"MIN{unique}")
    with pytest.raises(DiscountRefusedError, match="expired"):
        await place_order({item: 1}, discount_code=f"OLD{unique}")
    with pytest.raises(DiscountRefusedError, match="not valid"):
        await place_order({item: 1}, discount_code="NO-SUCH-CODE")
    with pytest.raises(DiscountRefusedError, match="not valid"):
        await place_order({item: 1}, discount_code=f"OFF{unique}")  # switched off
    codes = {c.code: c for c in await discounts.list_discount_codes(admin_viewer)}
    assert codes[f"OFF{unique}".upper()].is_active is False
    assert codes[f"MIN{unique}".upper()].describe("USD") == "$5.00 off"
    assert codes[f"OFF{unique}".upper()].describe("USD") == "50 % off"


async def test_only_admins_manage_discount_codes(shopper_viewer: Viewer, unique: str) -> None:
    with pytest.raises(PermissionDeniedError):
        await discounts.create_discount_code(
            f"FREE{unique}", kind="percent", value=Decimal(100), actor=shopper_viewer
        )
    with pytest.raises(PermissionDeniedError):
        await discounts.list_discount_codes(shopper_viewer)


async def test_unpaid_orders_expire_and_their_stock_returns(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    item = await make_product(stock_quantity=4)
    placed = await place_order({item: 3})
    async with session_scope() as session:
        await session.exec(
            update(Order)
            .where(Order.id == placed.id)
            .values(expires_at=text("now() - interval '1 minute'"))
        )

    assert await orders.expire_unpaid_orders() >= 1
    assert await orders.expire_unpaid_orders() == 0  # nothing twice

    async with session_scope() as session:
        order = await session.get(Order, placed.id)
    assert order is not None
    assert order.status == "cancelled"
    assert await stock_of(item) == 4


async def test_a_cancelled_order_cannot_be_cancelled_again(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    item = await make_product(stock_quantity=2)
    placed = await place_order({item: 2})

    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))

    assert await stock_of(item) == 2
    with pytest.raises(InvalidTransitionError, match="cancelled"):
        await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))
    assert await stock_of(item) == 2


async def test_an_empty_cart_and_an_unshipped_country_are_refused(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    with pytest.raises(EmptyCartError):
        await orders.place_order(
            cart_owner=guest_cart, details=checkout_details(), checkout_key=uuid.uuid4().hex
        )
    await carts.add_item(guest_cart, await make_product(), 1)
    with pytest.raises(InvalidInputError, match="We don't ship to Japan"):
        await orders.place_order(
            cart_owner=guest_cart, details=checkout_details(country="JP"), checkout_key="k1"
        )


async def test_a_shoppers_history_lists_their_orders_newest_first(
    make_product: MakeProduct, guest_cart: CartOwner
) -> None:
    shopper = uuid.uuid4()
    async with session_scope() as session:
        await session.exec(
            text(
                "INSERT INTO users (id, username, email, password_hash, status) "
                "VALUES (:id, :name, :email, 'x', 'active')"
            ),
            params={"id": shopper, "name": f"h{shopper.hex[:12]}", "email": f"{shopper.hex}@e.com"},
        )
    numbers = []
    for quantity in (1, 2):
        await carts.add_item(guest_cart, await make_product(), quantity)
        placed = await orders.place_order(
            cart_owner=guest_cart,
            details=checkout_details(),
            checkout_key=uuid.uuid4().hex,
            user_id=shopper,
        )
        await carts.clear_cart(guest_cart)
        numbers.append(placed.number)

    history = await order_queries.list_orders(shopper)

    assert [o.number for o in history.items] == numbers[::-1]
    assert [o.item_count for o in history.items] == [2, 1]
    assert history.total == 2


# --- only an order's customer acts on it -------------------------------------------------


async def test_only_the_orders_customer_may_pay_confirm_or_cancel_it(
    make_product: MakeProduct,
    place_order: PlaceOrder,
    guest_cart: CartOwner,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
) -> None:
    guest_order = await place_order({await make_product(stock_quantity=3): 1})
    await carts.add_item(guest_cart, await make_product(stock_quantity=3), 1)
    account_order = await orders.place_order(
        cart_owner=guest_cart,
        details=checkout_details(),
        checkout_key=uuid.uuid4().hex,
        user_id=shopper_viewer.user_id,
    )
    strangers = [
        Shopper(),  # a new tab, signed out
        Shopper(user_id=admin_viewer.user_id),  # signed in: not as a shop admin here
        tab_that_placed(uuid.uuid4()),  # a tab that placed another order
    ]
    for order in (guest_order, account_order):
        for stranger in strangers:
            with pytest.raises(NotFoundError):
                await payments.pay_order(
                    order.id, shopper=stranger, payment_method=cards.SUCCEEDS, attempt_key="x"
                )
            with pytest.raises(NotFoundError):
                await payments.confirm_payment(order.id, shopper=stranger, approve=True)
            with pytest.raises(NotFoundError):
                await orders.cancel_unpaid_order(order.id, shopper=stranger)
        detail = await get_order_with_payments(order.number)
        assert (detail.status, detail.payment_status, detail.transactions) == (
            "pending_payment",
            "unpaid",
            (),
        )

    # Their customers may: the tab that placed the guest's, the account (any tab) its own.
    await orders.cancel_unpaid_order(guest_order.id, shopper=tab_that_placed(guest_order.id))
    paid = await payments.pay_order(
        account_order.id,
        shopper=Shopper(user_id=shopper_viewer.user_id),
        payment_method=cards.SUCCEEDS,
        attempt_key="mine",
    )
    assert paid.status == "succeeded"
    assert (await order_queries.get_order(guest_order.number)).status == "cancelled"


async def test_a_checkout_key_never_finds_another_shoppers_order(
    make_product: MakeProduct, guest_cart: CartOwner, shopper_viewer: Viewer
) -> None:
    lamp = await make_product(stock_quantity=5)
    await carts.add_item(guest_cart, lamp, 1)
    key = uuid.uuid4().hex
    first = await orders.place_order(
        cart_owner=guest_cart, details=checkout_details(), checkout_key=key
    )
    other_cart = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert other_cart is not None
    await carts.add_item(other_cart, lamp, 1)

    for cart_owner, user_id in ((other_cart, None), (guest_cart, shopper_viewer.user_id)):
        with pytest.raises(InvalidInputError, match="expired"):
            await orders.place_order(
                cart_owner=cart_owner,
                details=checkout_details(),
                checkout_key=key,
                user_id=user_id,
            )
    again = await orders.place_order(
        cart_owner=guest_cart, details=checkout_details(), checkout_key=key
    )
    assert (again.id, again.created) == (first.id, False)
    assert await stock_of(lamp) == 4


async def test_cancelling_says_who_cancels(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    placed = await place_order({await make_product(): 1})
    with pytest.raises(TypeError):
        await orders.cancel_unpaid_order(placed.id)
