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
