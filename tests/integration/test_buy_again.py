"""Buy again: a past order's still-sold products go back in the cart at today's prices."""

from __future__ import annotations

from decimal import Decimal

from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.catalog import services as catalog
from backend.orders import queries as order_queries
from backend.orders import reorder
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder


async def test_still_sold_lines_return_at_todays_price_and_gone_ones_are_named(
    place_order: PlaceOrder, make_product: MakeProduct, unique: str
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    mug = await make_product(name=f"Mug {unique}", price=Decimal("8.00"))
    vase = await make_product(name=f"Vase {unique}", price=Decimal("25.00"))
    placed = await place_order({kettle: 1, mug: 3, vase: 1})
    admin = await catalog_manager()
    await catalog.update_product(kettle, {"price": "44.00"}, actor=admin)  # dearer today
    await catalog.set_product_active(vase, active=False, actor=admin)  # no longer sold
    order = await order_queries.get_order(placed.number)
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None

    result = await reorder.buy_again(order, owner)

    assert sorted(result.added) == [
        f"Kettle {unique}",
        f"Mug {unique}",
    ]  # lines come in the order's own order, not the order they were added
    assert result.unavailable == (f"Vase {unique}",)
    cart = await cart_queries.get_cart(owner)
    assert {(line.product_id, line.quantity, line.unit_price) for line in cart.lines} == {
        (kettle, 1, Decimal("44.00")),
        (mug, 3, Decimal("8.00")),
    }
