"""Sales figures: what the shop keeps (paid totals minus refunds), counted exactly."""

from __future__ import annotations

from decimal import Decimal

from backend.accounts.schemas import Viewer
from backend.analytics import sales
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed


async def test_revenue_counts_paid_orders_minus_refunds(
    make_product: MakeProduct, place_order: PlaceOrder, admin_viewer: Viewer
) -> None:
    before = await sales.sales_summary()
    item = await make_product(price=Decimal("100.00"), stock_quantity=10)
    paid = await place_order({item: 1})
    refunded = await place_order({item: 2})
    await place_order({item: 1})  # never paid: not revenue
    await payments.pay_order(
        paid.id, shopper=tab_that_placed(paid.id), payment_method=cards.SUCCEEDS, attempt_key="a"
    )
    await payments.pay_order(
        refunded.id,
        shopper=tab_that_placed(refunded.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="b",
    )
    await payment_refunds.refund_order(
        refunded.id, amount=Decimal("50.00"), request_key="r", actor="t", by=admin_viewer
    )

    after = await sales.sales_summary()

    assert after.revenue_today - before.revenue_today == Decimal("250.00")  # 100 + 200 − 50
    assert after.orders_today - before.orders_today == 2
    days = await sales.revenue_per_day(30)
    assert len(days) == 30
    assert days[-1].revenue >= Decimal("250.00")
    assert sum(d.orders for d in days) >= 2


async def test_a_gift_card_sold_is_not_revenue_until_an_order_spends_it(
    make_product: MakeProduct,
) -> None:
    """A card sold is goods owed: revenue comes when the goods are sold, whatever pays."""
    import uuid

    from backend.cart import owners as cart_owners
    from backend.cart import services as carts
    from backend.giftcards.inputs import PurchaseInput
    from backend.orders import services as orders
    from tests.fixtures.checkout import checkout_details

    before = await sales.sales_summary()
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, await make_product(price=Decimal("30.00")), 1)
    await carts.add_gift_card(owner, PurchaseInput(amount=Decimal("50")))
    placed = await orders.place_order(
        cart_owner=owner, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )
    await payments.pay_order(
        placed.id, shopper=tab_that_placed(placed.id), payment_method=cards.SUCCEEDS,
        attempt_key="card-and-goods",
    )  # fmt: skip

    after = await sales.sales_summary()
    assert after.orders_today - before.orders_today == 1
    assert after.revenue_today - before.revenue_today == placed.total - Decimal("50.00")
