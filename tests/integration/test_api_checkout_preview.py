"""A client app's checkout review step and address form: POST /orders/previews prices the
cart as placing it would (and reserves nothing), GET /shipping/countries lists where the
shop ships; staff read one order's returns."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.pricing import discounts
from tests.fixtures.api_client import StaffWith, assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_api_cart_orders import ADDRESS, stock_of


async def test_the_review_step_prices_the_cart_as_placing_it_then_does(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
) -> None:
    shopper = await bearer(shopper_viewer)
    mug = await make_product(price=Decimal("12.50"), stock_quantity=10)
    code = f"TEN{uuid.uuid4().hex[:6].upper()}"
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), actor=admin_viewer
    )
    await api.post("/cart/items", json={"product_id": str(mug), "quantity": 2}, headers=shopper)
    body = {**ADDRESS, "discount_code": code}

    previewed = await api.post("/orders/previews", json=body, headers=shopper)

    assert previewed.status_code == 200, previewed.text
    preview = previewed.json()
    assert (preview["subtotal"], preview["code_discount"], preview["currency"]) == (
        "25.00",
        "2.50",
        "USD",
    )
    assert Decimal(preview["total"]) == Decimal("22.50") + Decimal(preview["shipping"]) + Decimal(
        preview["tax"]
    )
    assert preview["amount_due"] == preview["total"]
    assert "standard" in [option["code"] for option in preview["shipping_options"]]
    assert await stock_of(mug) == 10  # nothing reserved
    assert (await api.get("/cart", headers=shopper)).json()["item_count"] == 2

    placed = await api.post("/orders", json=body, headers=with_key(shopper))
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["subtotal"], order["discount"], order["total"]) == (
        preview["subtotal"],
        preview["discount"],
        preview["total"],
    )


async def test_the_review_step_refuses_what_placing_would(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    shopper = await bearer(shopper_viewer)
    lamp = await make_product(price=Decimal("30.00"), stock_quantity=3)
    await api.post("/cart/items", json={"product_id": str(lamp), "quantity": 1}, headers=shopper)

    nowhere = await api.post(
        "/orders/previews", json={**ADDRESS, "postal_code": ""}, headers=shopper
    )
    assert "postal_code" in assert_problem(nowhere, 400)["errors"]
    unknown_code = await api.post(
        "/orders/previews", json={**ADDRESS, "discount_code": "NO-SUCH-CODE"}, headers=shopper
    )
    assert unknown_code.status_code in (400, 409), unknown_code.text
    assert_problem(await api.post("/orders/previews", json=ADDRESS), 401)
    assert await stock_of(lamp) == 3


async def test_an_address_form_lists_the_countries_the_shop_ships_to(
    api: httpx.AsyncClient,
) -> None:
    listed = await api.get("/shipping/countries")

    assert listed.status_code == 200, listed.text
    countries = {country["code"]: country["name"] for country in listed.json()}
    assert countries["US"] == "United States"
    assert all(len(code) == 2 for code in countries)


async def test_staff_read_an_orders_returns_and_shoppers_cannot(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    staff_with: StaffWith,
) -> None:
    shopper = await bearer(shopper_viewer)
    kettle = await make_product(price=Decimal("40.00"), stock_quantity=5)
    await api.delete("/cart", headers=shopper)
    await api.post("/cart/items", json={"product_id": str(kettle), "quantity": 1}, headers=shopper)
    number = (await api.post("/orders", json=ADDRESS, headers=with_key(shopper))).json()["number"]
    clerk = await staff_with(Permission.ORDERS_VIEW)

    seen = await api.get(f"/admin/orders/{number}/returns", headers=clerk)

    assert seen.status_code == 200, seen.text
    assert (seen.json()["order_number"], seen.json()["returns"]) == (number, [])
    assert seen.json()["can_request"] is False  # not delivered yet
    assert_problem(await api.get(f"/admin/orders/{number}/returns", headers=shopper), 403)
    assert_problem(await api.get("/admin/orders/KG-NONE-NONE/returns", headers=clerk), 404)
