"""The admin API's analytics: after orders are placed and paid, the range sales, today's
and this month's figures, revenue per day, best sellers, orders by status, the funnel
and the most viewed products move by exactly what happened; the date range behaves as
the Analytics page's; analytics staff only. And the worker's status for the overview."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from backend.accounts.permissions import Permission
from backend.core.clock import utcnow
from backend.core.heartbeat import record_worker_heartbeat
from backend.core.money import decimal_string
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.merchandising import promotion_services as promotions
from backend.merchandising.promotion_inputs import PromotionInput
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from tests.fixtures.api_client import StaffWith, assert_problem
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed

Get = Callable[..., Awaitable[Any]]


def _reader(api: httpx.AsyncClient, headers: dict[str, str]) -> Get:
    async def get(path: str, **params: object) -> Any:
        response = await api.get(f"/admin/analytics{path}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    return get


async def _pay(order_id: uuid.UUID) -> None:
    await payments.pay_order(
        order_id,
        shopper=tab_that_placed(order_id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )


def _money(text: str) -> Decimal:
    return Decimal(text)


async def test_sales_figures_move_by_exactly_the_orders_paid(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    place_order: PlaceOrder,
    unique: str,
) -> None:
    get = _reader(api, await staff_with(Permission.ANALYTICS))
    today = utcnow().date().isoformat()
    jacket_sku, scarf_sku = f"JKT-{unique}", f"SCF-{unique}"
    # Priced far above what other tests sell, so they rank in today's best sellers
    # whatever else the shared test database sold today.
    jacket = await make_product(price=Decimal("40000.00"), stock_quantity=20, sku=jacket_sku)
    scarf = await make_product(price=Decimal("15000.00"), stock_quantity=20, sku=scarf_sku)

    sales_before = await get("/sales", **{"from": today, "to": today})
    summary_before = await get("/summary")
    day_before = (await get("/revenue-per-day", days=1))["days"]
    statuses_before = {s["status"]: s["orders"] for s in await get("/orders-by-status")}

    first = await place_order({jacket: 2})
    second = await place_order({jacket: 1, scarf: 1})
    await place_order({scarf: 3})  # never paid: no revenue, but an order all the same
    await _pay(first.id)
    await _pay(second.id)
    paid_total = first.total + second.total

    sales = await get("/sales", **{"from": today, "to": today})
    assert (sales["from"], sales["to"]) == (today, today)
    assert _money(sales["revenue"]) - _money(sales_before["revenue"]) == paid_total
    assert sales["orders"] - sales_before["orders"] == 2
    assert sales["average_order_value"] == decimal_string(
        (_money(sales["revenue"]) / sales["orders"]).quantize(Decimal("0.01"))
    )

    summary = await get("/summary")
    assert _money(summary["revenue_today"]) - _money(summary_before["revenue_today"]) == paid_total
    assert summary["orders_today"] - summary_before["orders_today"] == 2
    assert summary["orders_month"] - summary_before["orders_month"] == 2

    (day,) = (await get("/revenue-per-day", days=1))["days"]
    assert day["day"] == today
    assert _money(day["revenue"]) - _money(day_before[0]["revenue"]) == paid_total
    assert day["orders"] - day_before[0]["orders"] == 2
    assert len((await get("/revenue-per-day"))["days"]) == 30

    statuses = {s["status"]: s["orders"] for s in await get("/orders-by-status")}
    moved = {k: statuses.get(k, 0) - statuses_before.get(k, 0) for k in statuses}
    assert sum(moved.values()) == 3

    best = await get("/top-products", **{"from": today, "to": today, "limit": 50})
    by_sku = {p["sku"]: p for p in best["items"]}
    assert (by_sku[jacket_sku]["quantity"], by_sku[jacket_sku]["revenue"]) == (3, "120000.00")
    # The unpaid order's three scarves are not sold.
    assert (by_sku[scarf_sku]["quantity"], by_sku[scarf_sku]["revenue"]) == (1, "15000.00")
    variants = await get("/top-variants", **{"from": today, "to": today, "limit": 50})
    assert {v["sku"]: v["quantity"] for v in variants["items"]}[jacket_sku] == 3


async def test_funnel_and_most_viewed_count_what_visitors_did(
    api: httpx.AsyncClient, staff_with: StaffWith, make_product: MakeProduct
) -> None:
    get = _reader(api, await staff_with(Permission.ANALYTICS))
    lamp = await make_product()
    before = {s["step"]: s["visitors"] for s in (await get("/funnel"))["stages"]}

    visitors = [f"visitor-{uuid.uuid4().hex}" for _ in range(4)]
    for visitor in visitors:
        await funnel.record(FunnelStep.PRODUCT_VIEW, visitor, lamp)
    for visitor in visitors[:2]:
        await funnel.record(FunnelStep.ADD_TO_CART, visitor)
    await funnel.record(FunnelStep.PRODUCT_VIEW, visitors[0], lamp)  # again: one more view

    stages = (await get("/funnel"))["stages"]
    assert [s["step"] for s in stages] == [
        "product_view",
        "add_to_cart",
        "checkout_started",
        "paid",
    ]
    after = {s["step"]: s["visitors"] for s in stages}
    assert after["product_view"] - before["product_view"] == 4
    assert after["add_to_cart"] - before["add_to_cart"] == 2

    viewed = await get("/most-viewed", limit=50)
    lamp_row = next(p for p in viewed["items"] if p["product_id"] == str(lamp))
    assert lamp_row["views"] == 5
    assert lamp_row["name"].startswith("Test Product")


async def test_the_date_range_defaults_swaps_and_is_cut_as_on_the_analytics_page(
    api: httpx.AsyncClient, staff_with: StaffWith
) -> None:
    headers = await staff_with(Permission.ANALYTICS)
    get = _reader(api, headers)
    today = utcnow().date()

    default = await get("/sales")
    assert (default["from"], default["to"]) == (
        (today - timedelta(days=29)).isoformat(),
        today.isoformat(),
    )
    swapped = await get("/cart-recovery", **{"from": "2026-03-10", "to": "2026-03-01"})
    assert (swapped["from"], swapped["to"]) == ("2026-03-01", "2026-03-10")
    assert swapped["reminders_sent"] >= 0
    long = await get("/funnel", **{"from": "2020-01-01", "to": "2026-06-30"})
    assert (long["from"], long["to"]) == ("2025-06-30", "2026-06-30")  # 366 days
    nothing = await get("/promotions", **{"from": "2001-01-01", "to": "2001-01-31"})
    assert nothing["items"] == []
    empty = await get("/sales", **{"from": "2001-01-01", "to": "2001-01-31"})
    assert (empty["revenue"], empty["orders"], empty["average_order_value"]) == ("0.00", 0, "0.00")

    for params, field in (
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
    ):
        refused = assert_problem(
            await api.get("/admin/analytics/sales", params=params, headers=headers), 400
        )
        assert field in refused["errors"], refused
    for path, params, field in (
        ("/top-products", {"limit": 51}, "limit"),
        ("/low-stock", {"limit": 0}, "limit"),
        ("/revenue-per-day", {"days": 367}, "days"),
    ):
        refused = assert_problem(
            await api.get(f"/admin/analytics{path}", params=params, headers=headers), 400
        )
        assert field in refused["errors"], refused


async def test_low_stock_lists_active_products_at_or_below_their_threshold(
    api: httpx.AsyncClient, staff_with: StaffWith, make_product: MakeProduct, unique: str
) -> None:
    get = _reader(api, await staff_with(Permission.ANALYTICS))
    # Named to sort first among the shared test database's many sold-out products (the
    # list is by stock, then name).
    await make_product(
        stock_quantity=0, low_stock_threshold=3, sku=f"LOW-{unique}", name=f"0 Low {unique}"
    )
    await make_product(stock_quantity=50, low_stock_threshold=3, sku=f"FULL-{unique}")

    rows = await get("/low-stock", limit=100)
    by_sku = {r["sku"]: r for r in rows}
    assert (by_sku[f"LOW-{unique}"]["stock"], by_sku[f"LOW-{unique}"]["threshold"]) == (0, 3)
    assert f"FULL-{unique}" not in by_sku
    assert [r["stock"] for r in rows] == sorted(r["stock"] for r in rows)  # emptiest first
    assert len(await get("/low-stock", limit=1)) == 1


async def test_analytics_are_for_analytics_staff_only(
    api: httpx.AsyncClient, staff_with: StaffWith, shopper_viewer: Any
) -> None:
    from tests.fixtures.api_client import bearer

    shopper = await bearer(shopper_viewer)
    customers_staff = await staff_with(Permission.CUSTOMERS)
    for path in (
        "/sales",
        "/top-products",
        "/top-variants",
        "/promotions",
        "/funnel",
        "/most-viewed",
        "/cart-recovery",
        "/summary",
        "/revenue-per-day",
        "/orders-by-status",
        "/low-stock",
    ):
        url = f"/admin/analytics{path}"
        assert_problem(await api.get(url), 401)
        assert_problem(await api.get(url, headers=shopper), 403)
        assert_problem(await api.get(url, headers=customers_staff), 403)
        # Refused before the input is read: 403, not 400.
        assert_problem(await api.get(url, params={"from": "x"}, headers=customers_staff), 403)


async def test_staff_see_whether_the_worker_is_running(
    api: httpx.AsyncClient, staff_with: StaffWith, shopper_viewer: Any
) -> None:
    from tests.fixtures.api_client import bearer

    staff = await staff_with(Permission.CATALOG)
    beat = await record_worker_heartbeat()
    status = await api.get("/admin/system/worker", headers=staff)
    assert status.status_code == 200, status.text
    assert status.json()["running"] is True
    assert status.json()["last_heartbeat_at"].startswith(beat.isoformat()[:19])
    assert_problem(await api.get("/admin/system/worker"), 401)
    assert_problem(await api.get("/admin/system/worker", headers=await bearer(shopper_viewer)), 403)


async def test_promotion_results_count_the_paid_orders_that_got_one(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    place_order: PlaceOrder,
    admin_viewer: Any,
    unique: str,
) -> None:
    get = _reader(api, await staff_with(Permission.ANALYTICS))
    today = utcnow().date().isoformat()
    lamp = await make_product(price=Decimal("50.00"), stock_quantity=10)
    title = f"Lamp week {unique}"
    promotion_id = await promotions.save_promotion(
        None,
        PromotionInput(
            title=title,
            kind="percent",
            value=Decimal("20"),
            target="products",
            product_ids=[lamp],
        ),
        actor=admin_viewer,
    )
    try:
        paid = await place_order({lamp: 2})
        await place_order({lamp: 1})  # never paid: not counted
        await _pay(paid.id)
    finally:
        await promotions.delete_promotion(promotion_id, actor=admin_viewer)

    results = await get("/promotions", **{"from": today, "to": today, "limit": 50})
    (mine,) = [p for p in results["items"] if p["title"] == title]
    assert (mine["applies_to"], mine["orders"]) == ("items", 1)
    assert mine["discount"] == "20.00"  # 20 % of 2 × 50.00
    assert mine["revenue"] == decimal_string(paid.total)
