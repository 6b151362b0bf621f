"""Order-wide and shipping promotions at checkout: "10 % off orders over $100" takes its
part off the goods once the subtotal reaches it, free shipping over an amount (or to one
zone) zeroes the shipping, one promotion of each kind applies (the highest priority), a
discount code combines only where the promotion allows it, and the order keeps what it
got whatever happens to the promotion later."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlmodel import delete

from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.merchandising import promotion_services
from backend.merchandising.models import Promotion
from backend.merchandising.promotions import forget_cached
from backend.orders.models import Order
from backend.pricing.discounts import create_discount_code
from backend.pricing.errors import DiscountRefusedError
from backend.shipping import quotes
from backend.shipping.rules import zone_for
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder
from tests.integration.test_promotions import _no_promotions_left, _promote

__all__ = ["_no_promotions_left"]  # autouse: promotions apply shop-wide, none outlives its test


async def _order(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def _code(kind: str = "percent", value: str = "10") -> str:
    code = f"EXTRA{uuid.uuid4().hex[:6]}".upper()
    await create_discount_code(
        code,
        kind=kind,
        value=Decimal(value),
        actor=await catalog_manager(),  # type: ignore[arg-type]
    )
    return code


async def test_ten_percent_off_orders_over_a_hundred_applies_from_the_threshold(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("60.00"), stock_quantity=20)
    promotion = await _promote(
        title="10 % off orders over $100", applies_to="order", value="10", min_subtotal="100"
    )

    below = await _order((await place_order({product: 1})).id)  # 60.00
    above = await _order((await place_order({product: 2})).id)  # 120.00

    assert (below.discount, below.order_promotion_title) == (Decimal("0.00"), None)
    assert (above.discount, above.order_promotion_amount) == (Decimal("12.00"), Decimal("12.00"))
    assert above.order_promotion_title == "10 % off orders over $100"
    assert above.total == Decimal("108.00") + above.shipping + above.tax

    await promotion_services.delete_promotion(promotion, actor=await catalog_manager())
    kept = await _order(above.id)
    assert (kept.order_promotion_title, kept.order_promotion_amount) == (
        "10 % off orders over $100",
        Decimal("12.00"),
    )


async def test_of_two_qualifying_order_promotions_the_higher_priority_applies(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("100.00"))
    await _promote(title="Big", applies_to="order", value="30", priority=0)
    await _promote(title="Chosen", applies_to="order", kind="fixed", value="5", priority=5)

    order = await _order((await place_order({product: 1})).id)

    assert (order.order_promotion_title, order.discount) == ("Chosen", Decimal("5.00"))


async def test_free_shipping_over_an_amount_and_only_to_its_zone(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("30.00"), stock_quantity=20)
    zones = await quotes.zones_in_force()
    home = zone_for(zones, quotes.destination("US"))
    assert home is not None
    await _promote(
        title="Free shipping over $50", applies_to="shipping", value="100", min_subtotal="50"
    )

    small = await _order((await place_order({product: 1})).id)  # 30.00: pays shipping
    large = await _order((await place_order({product: 2})).id)  # 60.00: free

    assert small.shipping > 0
    assert small.shipping_promotion_title is None
    assert (large.shipping, large.shipping_promotion_title) == (
        Decimal("0.00"),
        "Free shipping over $50",
    )

    other_zone = next((zone for zone in zones if zone.id != home.id), None)
    if other_zone is not None:  # a promotion for another zone leaves US shipping alone
        async with session_scope() as session:
            await session.exec(delete(Promotion))  # type: ignore[call-overload]
        forget_cached()
        await _promote(
            title="Free shipping elsewhere",
            applies_to="shipping",
            value="100",
            zone_id=str(other_zone.id),
        )
        elsewhere = await _order((await place_order({product: 2})).id)
        assert elsewhere.shipping_promotion_title is None


async def test_a_code_combines_only_where_the_promotion_allows_it(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("100.00"), stock_quantity=20)
    code = await _code("percent", "10")
    promotion = await _promote(
        title="Ten off everything", applies_to="order", kind="fixed", value="10"
    )

    both = await _order((await place_order({product: 1}, discount_code=code)).id)
    # The promotion first (100 → 90), then the code's 10 % of what is left (9.00).
    assert (both.order_promotion_amount, both.discount) == (Decimal("10.00"), Decimal("19.00"))

    await promotion_services.save_promotion(
        promotion,
        {
            "title": "Ten off, no codes",
            "kind": "fixed",
            "value": "10",
            "target": "all",
            "applies_to": "order",
            "combines_with_codes": False,
        },
        actor=await catalog_manager(),
    )
    with pytest.raises(DiscountRefusedError, match="cannot be combined with “Ten off, no codes”"):
        await place_order({product: 1}, discount_code=code)
    alone = await _order((await place_order({product: 1})).id)
    assert alone.discount == Decimal("10.00")


async def test_an_order_promotion_covers_the_whole_order_and_minimums_are_for_it() -> None:
    manager = await catalog_manager()
    with pytest.raises(InvalidInputError):
        await promotion_services.save_promotion(
            None,
            {
                "title": "Odd",
                "kind": "percent",
                "value": "10",
                "target": "category",
                "category_id": str(uuid.uuid4()),
                "applies_to": "order",
            },
            actor=manager,
        )
    with pytest.raises(InvalidInputError):
        await promotion_services.save_promotion(
            None,
            {
                "title": "Odd",
                "kind": "percent",
                "value": "10",
                "target": "all",
                "min_subtotal": "5",
            },
            actor=manager,
        )


async def test_a_once_per_customer_promotion_applies_once_even_from_two_tabs_at_once(
    make_product: MakeProduct,
) -> None:
    import asyncio

    from backend.cart import owners as cart_owners
    from backend.cart import services as carts
    from backend.orders import services as orders
    from backend.orders.ownership import Shopper
    from tests.fixtures.checkout import checkout_details

    # Each tab buys another product, so no stock lock puts the two in a queue.
    products = [await make_product(price=Decimal("80.00"), stock_quantity=20) for _ in range(4)]
    await _promote(
        title="Welcome: 15 off",
        applies_to="order",
        kind="fixed",
        value="15",
        limit_per_customer="1",
    )
    email = f"once-{uuid.uuid4().hex[:8]}@example.com"

    async def place(key: str, customer: str = email) -> uuid.UUID:
        owner = cart_owners.guest_owner(cart_owners.new_guest_token())
        assert owner is not None
        await carts.add_item(owner, products["abcd".index(key[0])], 1)
        return (
            await orders.place_order(
                cart_owner=owner, details=checkout_details(email=customer), checkout_key=key
            )
        ).id

    first, second = await asyncio.gather(place(f"a-{email}"), place(f"b-{email}"))

    got = [
        (await _order(first)).order_promotion_title,
        (await _order(second)).order_promotion_title,
    ]
    assert sorted(got, key=str) == [None, "Welcome: 15 off"]
    # Cancelled, the use comes back: the next order gets it again.
    winner = first if got[0] else second
    await orders.cancel_unpaid_order(winner, shopper=Shopper(opened_orders=frozenset({winner})))
    again = await _order(await place(f"c-{email}"))
    assert again.order_promotion_title == "Welcome: 15 off"
    other = await _order(await place(f"d-{email}", email.replace("once", "other")))
    assert other.order_promotion_title == "Welcome: 15 off"  # "per customer"
