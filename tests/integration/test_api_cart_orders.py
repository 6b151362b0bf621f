"""Contract of /api/v1/cart, /api/v1/orders and the Stripe webhook under /api/v1: status
codes, one error shape, money as decimal strings, one order per Idempotency-Key (also
under concurrency), payments with the test gateway, and staff-only status actions."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import select

from api import payment_routes
from api.app import build_http_app
from api.v1 import orders as orders_api
from api.v1.problems import install_problem_handlers
from backend.accounts import authentication, tokens
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.orders.models import Order
from backend.settings import get_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder
from tests.fixtures.stripe import WEBHOOK_SECRET, stripe_signature

PROBLEM = "application/problem+json"
SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
NEEDS_AUTHENTICATION = "4000002760003184"

ADDRESS = {
    "full_name": "Ada Buyer",
    "line1": "1 Market Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100/api/v1"
    )


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(build_http_app()) as client:
        yield client


@pytest.fixture
async def orders_route_alone() -> AsyncIterator[httpx.AsyncClient]:
    """The orders routes without the API's middleware (no stored replays): what the
    endpoint guarantees on its own."""
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(orders_api.router)
    outer = FastAPI()
    outer.mount("/api/v1", app)
    async with _client(outer) as client:
        yield client


async def bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


def with_key(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or uuid.uuid4().hex}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


@pytest.fixture
async def shopper_headers(shopper_viewer: Viewer) -> dict[str, str]:
    return await bearer(shopper_viewer)


@pytest.fixture
async def admin_headers(admin_viewer: Viewer) -> dict[str, str]:
    return await bearer(admin_viewer)


@pytest.fixture
async def stranger_headers(make_user: MakeUser) -> dict[str, str]:
    stranger = await make_user()
    signed_in = await authentication.sign_in(email=stranger.email, password=stranger.password)
    return await bearer(signed_in.viewer)


async def place(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    product_id: uuid.UUID,
    quantity: int = 1,
    *,
    key: str | None = None,
) -> httpx.Response:
    """Order `quantity` of one product: the cart keeps an order's lines until it is paid,
    so it is emptied first."""
    await api.delete("/cart", headers=headers)
    added = await api.post(
        "/cart/items", json={"product_id": str(product_id), "quantity": quantity}, headers=headers
    )
    assert added.status_code == 200, added.text
    return await api.post("/orders", json=ADDRESS, headers=with_key(headers, key))


async def placed_number(
    api: httpx.AsyncClient, headers: dict[str, str], product_id: uuid.UUID, quantity: int = 1
) -> str:
    response = await place(api, headers, product_id, quantity)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


async def pay(
    api: httpx.AsyncClient, headers: dict[str, str], number: str, card: str = SUCCEEDS
) -> httpx.Response:
    return await api.post(
        f"/orders/{number}/payments", json={"payment_method": card}, headers=with_key(headers)
    )


async def orders_of(user_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (await session.exec(select(func.count()).where(Order.user_id == user_id))).one()


async def stock_of(product_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(Product.stock_quantity).where(Product.id == product_id))
        ).one()


# ── The cart ────────────────────────────────────────────────────────────────────


async def test_the_cart_needs_a_token(api: httpx.AsyncClient) -> None:
    product = str(uuid.uuid4())
    for response in (
        await api.get("/cart"),
        await api.post("/cart/items", json={"product_id": product, "quantity": 1}),
        await api.put(f"/cart/items/{product}", json={"quantity": 1}),
        await api.delete(f"/cart/items/{product}"),
        await api.delete("/cart"),
    ):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


async def test_add_set_remove_and_empty_the_cart(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    mug = await make_product(price=Decimal("12.50"), stock_quantity=10)
    kettle = await make_product(price=Decimal("49.00"), stock_quantity=10)

    added = await api.post(
        "/cart/items", json={"product_id": str(mug), "quantity": 2}, headers=shopper_headers
    )
    await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)
    await api.put(f"/cart/items/{kettle}", json={"quantity": 1}, headers=shopper_headers)
    cart = (await api.get("/cart", headers=shopper_headers)).json()

    assert added.status_code == 200
    assert added.json()["lines"][0]["quantity"] == 2
    lines = {line["product_id"]: line for line in cart["lines"]}
    assert (lines[str(mug)]["quantity"], lines[str(mug)]["unit_price"]) == (3, "12.50")
    assert lines[str(mug)]["line_total"] == "37.50"
    assert lines[str(kettle)]["line_total"] == "49.00"
    assert (cart["subtotal"], cart["item_count"], cart["currency"]) == ("86.50", 4, "USD")
    assert cart["ready_for_checkout"] is True

    emptied_line = await api.put(
        f"/cart/items/{mug}", json={"quantity": 0}, headers=shopper_headers
    )
    assert [line["product_id"] for line in emptied_line.json()["lines"]] == [str(kettle)]
    removed = await api.delete(f"/cart/items/{kettle}", headers=shopper_headers)
    assert (removed.status_code, removed.content) == (204, b"")
    assert (await api.get("/cart", headers=shopper_headers)).json()["lines"] == []

    await api.put(f"/cart/items/{kettle}", json={"quantity": 2}, headers=shopper_headers)
    cleared = await api.delete("/cart", headers=shopper_headers)
    assert cleared.status_code == 204
    assert (await api.get("/cart", headers=shopper_headers)).json()["item_count"] == 0


async def test_a_product_not_sold_is_404(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    hidden = await make_product(is_active=False)
    for product_id in (uuid.uuid4(), hidden):
        assert_problem(
            await api.post(
                "/cart/items", json={"product_id": str(product_id)}, headers=shopper_headers
            ),
            404,
        )
        assert_problem(
            await api.put(
                f"/cart/items/{product_id}", json={"quantity": 1}, headers=shopper_headers
            ),
            404,
        )


async def test_sold_out_and_more_than_in_stock_are_409_and_change_nothing(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    gone = await make_product(stock_quantity=0, name="Gone Lamp")
    few = await make_product(stock_quantity=3, name="Rare Vase")
    await api.put(f"/cart/items/{few}", json={"quantity": 2}, headers=shopper_headers)

    sold_out = assert_problem(
        await api.post("/cart/items", json={"product_id": str(gone)}, headers=shopper_headers),
        409,
    )
    too_many = assert_problem(
        await api.put(f"/cart/items/{few}", json={"quantity": 5}, headers=shopper_headers), 409
    )
    too_many_more = assert_problem(
        await api.post(
            "/cart/items", json={"product_id": str(few), "quantity": 2}, headers=shopper_headers
        ),
        409,
    )

    assert sold_out["type"].endswith("/sold-out")
    assert "Gone Lamp is sold out" in str(sold_out["detail"])
    assert "Only 3 of Rare Vase left" in str(too_many["detail"])
    assert "Only 3 of Rare Vase left" in str(too_many_more["detail"])
    cart = (await api.get("/cart", headers=shopper_headers)).json()
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(str(few), 2)]


async def test_bad_quantities_are_400(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    mug = await make_product(stock_quantity=50)
    limit = get_settings().cart_max_line_quantity
    for quantity in (-1, 1.5, "2", True, None):
        body = assert_problem(
            await api.put(
                f"/cart/items/{mug}", json={"quantity": quantity}, headers=shopper_headers
            ),
            400,
        )
        assert "quantity" in body["errors"]
    assert_problem(
        await api.post(
            "/cart/items", json={"product_id": str(mug), "quantity": 0}, headers=shopper_headers
        ),
        400,
    )
    assert_problem(
        await api.put("/cart/items/not-a-uuid", json={"quantity": 1}, headers=shopper_headers), 400
    )
    over_limit = assert_problem(
        await api.put(f"/cart/items/{mug}", json={"quantity": limit + 1}, headers=shopper_headers),
        400,
    )
    assert over_limit["errors"] == {"quantity": f"At most {limit} per order."}
    assert (await api.get("/cart", headers=shopper_headers)).json()["lines"] == []


async def test_an_api_add_to_cart_and_order_count_in_the_funnel(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The funnel counts on a day no other test writes to, so the counts are exact.
    noon = datetime(2001, 2, 3, 12, tzinfo=UTC)
    monkeypatch.setattr(funnel, "utcnow", lambda: noon)
    day = noon.date()
    mug = await make_product(stock_quantity=10)

    async def visitors() -> dict[FunnelStep, int]:
        return {stage.step: stage.visitors for stage in await funnel.funnel(day, day)}

    added = await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)
    after_adding = await visitors()
    placed = await api.post("/orders", json=ADDRESS, headers=with_key(shopper_headers))
    after_placing = await visitors()

    assert (added.status_code, placed.status_code) == (200, 201)
    assert after_adding[FunnelStep.ADD_TO_CART] == 1
    assert after_adding[FunnelStep.CHECKOUT_STARTED] == 0
    assert after_placing[FunnelStep.CHECKOUT_STARTED] == 1


# ── Placing orders ─────────────────────────────────────────────────────────────


async def test_placing_an_order_needs_a_token_and_an_idempotency_key(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    mug = await make_product()
    await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)

    assert_problem(await api.post("/orders", json=ADDRESS, headers=with_key({})), 401)
    missing = assert_problem(await api.post("/orders", json=ADDRESS, headers=shopper_headers), 400)
    malformed = assert_problem(
        await api.post("/orders", json=ADDRESS, headers=with_key(shopper_headers, "k" * 256)), 400
    )
    assert "Idempotency-Key" in missing["errors"]
    assert "Idempotency-Key" in malformed["errors"]
    assert (await api.get("/orders", headers=shopper_headers)).json()["items"] == []


async def test_an_order_is_placed_from_the_cart(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    shopper_headers: dict[str, str],
) -> None:
    mug = await make_product(price=Decimal("12.50"), stock_quantity=10)

    response = await place(api, shopper_headers, mug, 2)

    assert response.status_code == 201, response.text
    order = response.json()
    assert response.headers["location"] == f"/api/v1/orders/{order['number']}"
    assert (order["status"], order["payment_status"]) == ("pending_payment", "unpaid")
    assert order["email"] == shopper_viewer.email  # the account's, by default
    assert [
        (line["quantity"], line["unit_price"], line["line_total"]) for line in order["lines"]
    ] == [(2, "12.50", "25.00")]
    assert (order["subtotal"], order["shipping"], order["tax"]) == ("25.00", "4.95", "0.00")
    assert (order["discount"], order["total"], order["currency"]) == ("0.00", "29.95", "USD")
    assert order["created_at"]
    assert order["can_pay"] is True
    assert await stock_of(mug) == 8


async def test_the_same_idempotency_key_twice_gives_one_order(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    shopper_headers: dict[str, str],
) -> None:
    mug = await make_product(stock_quantity=10)
    key = uuid.uuid4().hex

    first = await place(api, shopper_headers, mug, key=key)
    second = await api.post("/orders", json=ADDRESS, headers=with_key(shopper_headers, key))

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["number"] == second.json()["number"]
    assert second.headers["idempotent-replayed"] == "true"
    assert await orders_of(shopper_viewer.user_id) == 1
    assert await stock_of(mug) == 9


async def test_the_route_alone_answers_a_retry_with_the_same_order(
    orders_route_alone: httpx.AsyncClient,
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    shopper_headers: dict[str, str],
) -> None:
    mug = await make_product()
    await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)
    headers = with_key(shopper_headers)

    first = await orders_route_alone.post("/orders", json=ADDRESS, headers=headers)
    second = await orders_route_alone.post("/orders", json=ADDRESS, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["number"] == second.json()["number"]
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert await orders_of(shopper_viewer.user_id) == 1


async def test_concurrent_posts_with_one_key_place_one_order(
    api: httpx.AsyncClient,
    orders_route_alone: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    shopper_headers: dict[str, str],
) -> None:
    mug = await make_product(stock_quantity=10)
    await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)

    # Through the whole API: the replay layer may answer the second with 409 "in flight".
    key = with_key(shopper_headers)
    through_api = await asyncio.gather(
        *(api.post("/orders", json=ADDRESS, headers=key) for _ in range(2))
    )
    # The route on its own: the checkout key's lock makes the second find the first order.
    other_key = with_key(shopper_headers)
    route_alone = await asyncio.gather(
        *(orders_route_alone.post("/orders", json=ADDRESS, headers=other_key) for _ in range(2))
    )

    assert {r.status_code for r in through_api} <= {201, 409}
    assert len({r.json()["number"] for r in through_api if r.status_code == 201}) == 1
    assert [r.status_code for r in route_alone] == [201, 201]
    assert len({r.json()["number"] for r in route_alone}) == 1
    assert await orders_of(shopper_viewer.user_id) == 2  # one per key
    assert await stock_of(mug) == 8


async def test_an_empty_cart_is_409(
    api: httpx.AsyncClient, shopper_headers: dict[str, str]
) -> None:
    body = assert_problem(
        await api.post("/orders", json=ADDRESS, headers=with_key(shopper_headers)), 409
    )
    assert body["type"].endswith("/empty-cart")


async def test_a_product_sold_out_since_it_was_added_is_409_naming_it(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    place_order: PlaceOrder,
    shopper_headers: dict[str, str],
) -> None:
    lamp = await make_product(stock_quantity=1, name="Last Lamp")
    await api.post("/cart/items", json={"product_id": str(lamp)}, headers=shopper_headers)
    await place_order({lamp: 1})  # somebody else buys the last one

    body = assert_problem(
        await api.post("/orders", json=ADDRESS, headers=with_key(shopper_headers)), 409
    )

    assert "Last Lamp" in str(body["detail"])
    cart = (await api.get("/cart", headers=shopper_headers)).json()
    assert [line["problem"] for line in cart["lines"]] == ["Sold out"]  # the cart is kept


async def test_a_bad_address_is_400_with_field_errors(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    mug = await make_product()
    await api.post("/cart/items", json={"product_id": str(mug)}, headers=shopper_headers)

    wrong = assert_problem(
        await api.post(
            "/orders",
            json={**ADDRESS, "postal_code": "!", "country": "ZZZ", "email": "nope"},
            headers=with_key(shopper_headers),
        ),
        400,
    )
    not_shipped = assert_problem(
        await api.post(
            "/orders", json={**ADDRESS, "country": "JP"}, headers=with_key(shopper_headers)
        ),
        400,
    )
    missing = assert_problem(
        await api.post("/orders", json={"city": "Springfield"}, headers=with_key(shopper_headers)),
        400,
    )
    bad_method = assert_problem(
        await api.post(
            "/orders",
            json={**ADDRESS, "shipping_method": "teleport"},
            headers=with_key(shopper_headers),
        ),
        400,
    )

    assert {"postal_code", "country", "email"} <= set(wrong["errors"])
    assert "country" in not_shipped["errors"]
    assert {"full_name", "line1", "postal_code", "country"} <= set(missing["errors"])
    assert "shipping_method" in bad_method["errors"]


# ── Reading orders ─────────────────────────────────────────────────────────────


async def test_an_order_is_shown_to_its_owner_and_admins_only(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    stranger_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())

    mine = await api.get(f"/orders/{number}", headers=shopper_headers)
    as_admin = await api.get(f"/orders/{number}", headers=admin_headers)
    foreign = assert_problem(await api.get(f"/orders/{number}", headers=stranger_headers), 404)
    unknown = assert_problem(await api.get("/orders/KG-0000-0000", headers=shopper_headers), 404)

    assert (mine.status_code, as_admin.status_code) == (200, 200)
    assert mine.json()["number"] == as_admin.json()["number"] == number
    assert foreign["detail"] == unknown["detail"]  # a stranger learns nothing
    assert_problem(await api.get(f"/orders/{number}"), 401)


async def test_the_orders_list_is_your_own_and_admins_may_see_all(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    stranger_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    product = await make_product(price=Decimal("10.00"), stock_quantity=20)
    numbers = [await placed_number(api, shopper_headers, product) for _ in range(3)]

    page = (await api.get("/orders", params={"limit": 2}, headers=shopper_headers)).json()
    theirs = (await api.get("/orders", headers=stranger_headers)).json()
    found = await api.get(
        "/orders",
        params={
            "scope": "all",
            "search": numbers[0],
            "min_total": "10",
            "status": "pending_payment",
        },
        headers=admin_headers,
    )

    assert [item["number"] for item in page["items"]] == numbers[::-1][:2]  # newest first
    assert page["items"][0]["total"] == "14.95"  # 10.00 + standard shipping
    assert page["items"][0]["item_count"] == 1
    assert page["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "pages": 2,
        "has_next": True,
        "has_previous": False,
    }
    assert theirs["items"] == []
    assert found.status_code == 200
    assert [item["number"] for item in found.json()["items"]] == [numbers[0]]
    assert found.json()["items"][0]["email"]
    assert_problem(await api.get("/orders", params={"scope": "all"}, headers=shopper_headers), 403)
    bad_filter = assert_problem(
        await api.get(
            "/orders",
            params={"scope": "all", "min_total": "lots", "placed_from": "yesterday"},
            headers=admin_headers,
        ),
        400,
    )
    assert {"min_total", "placed_from"} <= set(bad_filter["errors"])
    assert_problem(
        await api.get("/orders", params={"status": "paid"}, headers=shopper_headers), 400
    )
    assert_problem(await api.get("/orders", params={"limit": 101}, headers=shopper_headers), 400)
    assert_problem(await api.get("/orders"), 401)


# ── Paying ───────────────────────────────────────────────────────────────────────


async def test_paying_with_the_test_card_pays_the_order_once(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())
    headers = with_key(shopper_headers)

    paid = await api.post(
        f"/orders/{number}/payments", json={"payment_method": SUCCEEDS}, headers=headers
    )
    again = await api.post(
        f"/orders/{number}/payments", json={"payment_method": SUCCEEDS}, headers=headers
    )

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    assert (paid.json()["order"]["status"], paid.json()["order"]["payment_status"]) == (
        "paid",
        "paid",
    )
    assert again.json()["status"] == "succeeded"  # the same attempt, not a second charge
    order = (await api.get(f"/orders/{number}", headers=shopper_headers)).json()
    assert order["payment_status"] == "paid"
    assert (await api.get("/cart", headers=shopper_headers)).json()["lines"] == []
    assert_problem(await pay(api, shopper_headers, number), 409)  # nothing left to pay


async def test_a_declined_card_is_402_and_the_order_stays_unpaid(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())

    declined = assert_problem(await pay(api, shopper_headers, number, DECLINED), 402)

    assert declined["detail"] == "Your card was declined."
    assert declined["title"] == "Payment declined"
    order = (await api.get(f"/orders/{number}", headers=shopper_headers)).json()
    assert (order["status"], order["payment_status"]) == ("pending_payment", "failed")
    assert order["can_pay"] is True
    assert (await pay(api, shopper_headers, number)).json()["status"] == "succeeded"


async def test_a_card_needing_confirmation_gets_a_redirect(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_headers: dict[str, str]
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())

    response = await pay(api, shopper_headers, number, NEEDS_AUTHENTICATION)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "requires_action"
    shop = get_settings().public_base_url
    assert body["redirect_url"] == f"{shop}/checkout/confirm?order={number}"
    assert body["order"]["payment_status"] == "requires_action"


async def test_paying_refusals(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    stranger_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())
    path = f"/orders/{number}/payments"

    assert_problem(await api.post(path, json={"payment_method": SUCCEEDS}), 401)
    assert_problem(
        await api.post(path, json={"payment_method": SUCCEEDS}, headers=shopper_headers), 400
    )
    assert_problem(await api.post(path, json={}, headers=with_key(shopper_headers)), 400)
    assert_problem(await pay(api, stranger_headers, number), 404)
    assert_problem(await pay(api, admin_headers, number), 403)  # only the customer pays
    assert_problem(await pay(api, shopper_headers, "KG-0000-0000"), 404)


# ── Cancelling and staff actions ─────────────────────────────────────────────────


async def test_a_shopper_cancels_their_unpaid_order_but_not_a_paid_one(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    stranger_headers: dict[str, str],
) -> None:
    mug = await make_product(stock_quantity=10)
    unpaid = await placed_number(api, shopper_headers, mug)
    paid = await placed_number(api, shopper_headers, mug)
    await pay(api, shopper_headers, paid)

    assert_problem(await api.post(f"/orders/{unpaid}/cancel", headers=stranger_headers), 404)
    cancelled = await api.post(f"/orders/{unpaid}/cancel", headers=shopper_headers)
    again = assert_problem(await api.post(f"/orders/{unpaid}/cancel", headers=shopper_headers), 409)
    refused = assert_problem(await api.post(f"/orders/{paid}/cancel", headers=shopper_headers), 409)

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert again["type"].endswith("/invalid-transition")
    assert refused["type"].endswith("/invalid-transition")
    assert await stock_of(mug) == 9
    assert_problem(await api.post(f"/orders/{unpaid}/cancel"), 401)


async def test_an_admin_cancels_a_paid_order_and_it_is_refunded(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    mug = await make_product(stock_quantity=10)
    number = await placed_number(api, shopper_headers, mug)
    await pay(api, shopper_headers, number)

    response = await api.post(f"/orders/{number}/cancel", headers=admin_headers)

    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["status"], order["payment_status"]) == ("cancelled", "refunded")
    assert order["refunded"] == order["total"]
    assert await stock_of(mug) == 10


async def test_staff_ship_and_deliver_a_paid_order(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    number = await placed_number(api, shopper_headers, await make_product())
    shipment = {"carrier": "DHL", "tracking_number": "JD0001"}
    fulfil, deliver = f"/orders/{number}/fulfil", f"/orders/{number}/deliver"

    assert_problem(await api.post(fulfil, json=shipment), 401)
    assert_problem(await api.post(fulfil, json=shipment, headers=shopper_headers), 403)
    assert_problem(await api.post(deliver, headers=shopper_headers), 403)
    unpaid = assert_problem(await api.post(fulfil, json=shipment, headers=admin_headers), 409)
    assert unpaid["type"].endswith("/invalid-transition")
    await pay(api, shopper_headers, number)
    blank = assert_problem(
        await api.post(fulfil, json={"carrier": " ", "tracking_number": ""}, headers=admin_headers),
        400,
    )
    assert {"carrier", "tracking_number"} <= set(blank["errors"])
    assert_problem(await api.post(fulfil, json={}, headers=admin_headers), 400)

    shipped = await api.post(fulfil, json=shipment, headers=admin_headers)
    delivered = await api.post(deliver, headers=admin_headers)

    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["status"], shipped.json()["carrier"]) == ("fulfilled", "DHL")
    assert delivered.json()["status"] == "delivered"
    assert_problem(await api.post(deliver, headers=admin_headers), 409)
    assert_problem(await api.post(f"/orders/{number}/cancel", headers=admin_headers), 409)
    assert_problem(await api.post("/orders/KG-0000-0000/deliver", headers=admin_headers), 404)


async def test_a_packer_ships_through_the_api_but_refunds_and_cancels_nothing(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    shopper_headers: dict[str, str],
) -> None:
    packer = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    signed_in = await authentication.sign_in(email=packer.email, password=packer.password)
    packer_headers = await bearer(signed_in.viewer)
    number = await placed_number(api, shopper_headers, await make_product())
    await pay(api, shopper_headers, number)

    refund = f"/orders/{number}/refunds"
    assert_problem(
        await api.post(refund, json={"amount": "1.00"}, headers=with_key(packer_headers)), 403
    )
    assert_problem(await api.post(f"/orders/{number}/cancel", headers=packer_headers), 403)
    assert_problem(await api.get("/admin/collections", headers=packer_headers), 403)
    seen = await api.get(f"/orders/{number}", headers=packer_headers)  # orders: view
    assert (seen.status_code, seen.json()["refunded"]) == (200, "0.00")

    shipment = {"carrier": "DHL", "tracking_number": "JD0002"}
    shipped = await api.post(f"/orders/{number}/fulfil", json=shipment, headers=packer_headers)
    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["status"], shipped.json()["payment_status"]) == ("fulfilled", "paid")


async def test_refunds_are_for_admins_once_per_key_and_within_what_was_paid(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    number = await placed_number(api, shopper_headers, await make_product(price=Decimal("20.00")))
    path = f"/orders/{number}/refunds"

    assert_problem(await api.post(path, json={"amount": "5.00"}, headers=with_key({})), 401)
    assert_problem(
        await api.post(path, json={"amount": "5.00"}, headers=with_key(shopper_headers)), 403
    )
    assert_problem(
        await api.post(path, json={"amount": "5.00"}, headers=with_key(admin_headers)), 409
    )  # nothing paid yet
    await pay(api, shopper_headers, number)  # 24.95
    assert_problem(await api.post(path, json={"amount": "5.00"}, headers=admin_headers), 400)
    assert_problem(
        await api.post(path, json={"amount": "-1"}, headers=with_key(admin_headers)), 400
    )
    too_much = assert_problem(
        await api.post(path, json={"amount": "99.00"}, headers=with_key(admin_headers)), 400
    )
    assert "amount" in too_much["errors"]

    key = with_key(admin_headers)
    first = await api.post(path, json={"amount": "5.00"}, headers=key)
    second = await api.post(path, json={"amount": "5.00"}, headers=key)
    rest = await api.post(path, json={}, headers=with_key(admin_headers))

    assert first.status_code == 200, first.text
    assert first.json()["refunded"] == "5.00"
    assert first.json()["order"]["payment_status"] == "partially_refunded"
    assert second.json()["refunded"] == "5.00"
    assert rest.json()["refunded"] == "19.95"
    assert rest.json()["order"]["payment_status"] == "refunded"
    assert rest.json()["order"]["refunded"] == "24.95"


# ── The Stripe webhook ───────────────────────────────────────────────────────────


@pytest.fixture
def webhook_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_webhook_is_the_same_handler_as_the_shops() -> None:
    endpoints = {
        route.path: route.endpoint  # type: ignore[attr-defined]
        for route in orders_api.router.routes
        if route.path.startswith("/payments/")  # type: ignore[attr-defined]
    }
    assert endpoints == {"/payments/webhooks/stripe": payment_routes.stripe_webhook}


@pytest.mark.usefixtures("webhook_secret")
async def test_the_webhook_verifies_signatures_and_processes_an_event_once(
    api: httpx.AsyncClient,
) -> None:
    payload = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": {"id": f"pi_{uuid.uuid4().hex[:20]}", "object": "payment_intent"}},
        }
    ).encode()

    async def post(signature: str) -> httpx.Response:
        return await api.post(
            "/payments/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )

    forged = await post(stripe_signature(payload, secret="whsec_other"))
    first = await post(stripe_signature(payload))
    second = await post(stripe_signature(payload))

    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith(PROBLEM)
    assert (first.status_code, first.json()) == (200, {"received": True, "processed": True})
    assert (second.status_code, second.json()) == (200, {"received": True, "processed": False})
