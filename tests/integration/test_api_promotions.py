"""Promotions through the REST API: admins create, read, replace and delete them; the
products list, the cart and the order answer at the sale price and name the promotion."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import delete

from backend.accounts.schemas import Viewer
from backend.catalog.category_queries import get_category_tree
from backend.core.db import session_scope
from backend.merchandising.models import Promotion
from backend.merchandising.promotions import forget_cached
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_api_cart_orders import ADDRESS, with_key
from tests.integration.test_api_products import api, assert_problem, bearer

__all__ = ["api"]


@pytest.fixture(autouse=True)
async def _no_promotions_left() -> AsyncIterator[None]:
    yield
    async with session_scope() as session:
        await session.exec(delete(Promotion))  # type: ignore[call-overload]
    forget_cached()


async def test_a_promotion_made_through_the_api_prices_the_listing(
    api: httpx.AsyncClient, admin_viewer: Viewer, make_product: MakeProduct, category: uuid.UUID
) -> None:
    from decimal import Decimal

    headers = await bearer(admin_viewer)
    product = await make_product(price=Decimal("80.00"))
    body = {
        "title": "Quarter off",
        "kind": "percent",
        "value": "25",
        "target": "category",
        "category_id": str(category),
    }
    created = await api.post("/admin/promotions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    promotion = created.json()
    assert (promotion["status"], promotion["value"]) == ("active", "25.00")
    assert created.headers["location"] == f"/api/v1/admin/promotions/{promotion['id']}"

    slug = (await get_category_tree()).by_id(category).slug  # type: ignore[union-attr]
    items = (await api.get("/products", params={"category": slug})).json()["items"]
    item = next(i for i in items if i["id"] == str(product))
    assert (item["price"], item["compare_at_price"], item["promotion"]) == (
        "60.00",
        "80.00",
        "−25%",
    )
    # One product: the catalog's price (what admins write back) and what it sells for now.
    detail = (await api.get(f"/products/{product}")).json()
    assert (detail["price"], detail["sale_price"], detail["promotion"]) == (
        "80.00",
        "60.00",
        "Quarter off",
    )
    assert [v["sale_price"] for v in detail["variants"]] == ["60.00"]

    switched_off = await api.put(
        f"/admin/promotions/{promotion['id']}", json=body | {"is_active": False}, headers=headers
    )
    assert switched_off.json()["status"] == "off"
    items = (await api.get("/products", params={"category": slug})).json()["items"]
    item = next(i for i in items if i["id"] == str(product))
    assert (item["price"], item["compare_at_price"], item["promotion"]) == ("80.00", None, None)

    listed = (await api.get("/admin/promotions", headers=headers)).json()
    assert promotion["id"] in [p["id"] for p in listed]
    assert (
        await api.delete(f"/admin/promotions/{promotion['id']}", headers=headers)
    ).status_code == 204
    assert_problem(await api.get(f"/admin/promotions/{promotion['id']}", headers=headers), 404)


async def test_bad_bodies_and_strangers_are_refused(
    api: httpx.AsyncClient, admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    body = {"title": "All of it", "kind": "percent", "value": "150", "target": "all"}
    refused = assert_problem(
        await api.post("/admin/promotions", json=body, headers=await bearer(admin_viewer)), 400
    )
    assert "percentage off is at most 100" in str(refused)
    assert_problem(await api.post("/admin/promotions", json=body), 401)
    forbidden = await api.post(
        "/admin/promotions", json=body | {"value": "10"}, headers=await bearer(shopper_viewer)
    )
    assert_problem(forbidden, 403)


async def test_an_order_wide_promotion_through_the_api_shows_on_the_order(
    api: httpx.AsyncClient, admin_viewer: Viewer, shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    from decimal import Decimal

    admin = await bearer(admin_viewer)
    created = await api.post(
        "/admin/promotions",
        json={
            "title": "15 off orders from 200",
            "kind": "fixed",
            "value": "15",
            "target": "all",
            "applies_to": "order",
            "min_subtotal": "200",
            "combines_with_codes": False,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert (created.json()["applies_to"], created.json()["min_subtotal"]) == ("order", "200.00")
    shopper = await bearer(shopper_viewer)
    product = await make_product(price=Decimal("250.00"))
    await api.post("/cart/items", json={"product_id": str(product), "quantity": 1}, headers=shopper)

    placed = await api.post(
        "/orders",
        json=ADDRESS,
        headers=with_key(shopper),
    )

    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["promotion"], order["promotion_discount"], order["discount"]) == (
        "15 off orders from 200",
        "15.00",
        "15.00",
    )


async def test_a_multi_buy_through_the_api_shows_on_cart_and_order_lines(
    api: httpx.AsyncClient,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    make_product: MakeProduct,
    category: uuid.UUID,
) -> None:
    from decimal import Decimal

    created = await api.post(
        "/admin/promotions",
        json={
            "title": "Buy 2, get 1 free",
            "kind": "percent",
            "value": "100",
            "target": "category",
            "category_id": str(category),
            "applies_to": "multibuy",
            "buy_quantity": 2,
            "discounted_quantity": 1,
        },
        headers=await bearer(admin_viewer),
    )
    assert created.status_code == 201, created.text
    assert (created.json()["buy_quantity"], created.json()["stacks"]) == (2, False)
    shopper = await bearer(shopper_viewer)
    product = await make_product(price=Decimal("14.00"))
    added = await api.post(
        "/cart/items", json={"product_id": str(product), "quantity": 2}, headers=shopper
    )
    assert added.status_code in (200, 201), added.text

    cart = (await api.get("/cart", headers=shopper)).json()
    line = next(line for line in cart["lines"] if line["product_id"] == str(product))
    assert (line["multibuy"], line["multibuy_discount"], line["line_total"]) == (
        "Buy 2, get 1 free",
        "14.00",
        "28.00",
    )
    assert cart["multibuy_discount"] == "14.00"

    placed = await api.post("/orders", json=ADDRESS, headers=with_key(shopper))
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["multibuy_discount"], order["discount"], order["subtotal"]) == (
        "14.00",
        "14.00",
        "28.00",
    )
    assert order["lines"][0]["multibuy"] == "Buy 2, get 1 free"
