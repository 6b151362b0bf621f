"""Draining discount codes and stock without paying, through the REST API.

An order holds its stock and counts a use of its discount code from the moment it is
placed, before anything is paid. An attacker who may place unpaid orders without end can
therefore use up a limited code and keep products "sold out" for everyone else, in blocks
of ORDER_PAYMENT_TIMEOUT_MINUTES, without spending anything. These tests do what that
attacker does, with the API's own requests, and check what the shop answers:

- a code's use comes back when its unpaid order is cancelled (by the shopper or the
  shop) or expires, exactly once;
- one account cannot hold more than a few unpaid orders at a time, and one network
  address cannot place unpaid orders without end by switching accounts.

The Reflex checkout (the websocket door) is attacked in test_websocket_checkout_limits.py.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from api.app import build_http_app
from backend.accounts import authentication, tokens
from backend.accounts.schemas import Viewer
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.orders import services as orders
from backend.orders.models import Order
from backend.pricing import discounts
from backend.settings import get_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct

PROBLEM = "application/problem+json"
ADDRESS = {
    "full_name": "Mallory Hoarder",
    "line1": "1 Market Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def _documentation_address() -> str:
    """An address of its own per test (TEST-NET-3), so counts never carry over."""
    number = uuid.uuid4().int
    return f"203.0.{number % 113}.{(number >> 8) % 250 + 1}"


def _client(address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_http_app(), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:3100/api/v1")


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(_documentation_address()) as client:
        yield client


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set CHECKOUT_* with monkeypatch.setenv, then call get_settings.cache_clear()."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


async def _signed_in(make_user: MakeUser) -> dict[str, str]:
    credentials = await make_user()
    signed_in = await authentication.sign_in(email=credentials.email, password=credentials.password)
    pair = await tokens.issue_tokens(signed_in.viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


async def _place(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    product_id: uuid.UUID,
    *,
    discount_code: str | None = None,
) -> httpx.Response:
    """What a client does to place an order: put the product in its cart, then POST /orders
    with a new Idempotency-Key (a new key is a new order, not a retry)."""
    await api.delete("/cart", headers=headers)
    added = await api.post(
        "/cart/items", json={"product_id": str(product_id), "quantity": 1}, headers=headers
    )
    assert added.status_code == 200, added.text
    body = {**ADDRESS, "discount_code": discount_code}
    return await api.post(
        "/orders", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )


def _assert_placed(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["status"] == status
    return body


async def _one_use_code(admin: Viewer, uses: int = 1) -> str:
    code = f"ONCE{uuid.uuid4().hex[:8].upper()}"
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), usage_limit=uses, actor=admin
    )
    return code


async def _make_overdue(number: str) -> None:
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            update(Order)
            .where(Order.number == number)  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )


# --- (a) a limited code is not used up by orders nobody pays -----------------------------


async def test_a_one_use_code_is_usable_again_once_its_unpaid_order_is_cancelled(
    api: httpx.AsyncClient, make_product: MakeProduct, make_user: MakeUser, admin_viewer: Viewer
) -> None:
    code = await _one_use_code(admin_viewer)
    product = await make_product(stock_quantity=20)
    hoarder, shopper = await _signed_in(make_user), await _signed_in(make_user)

    held = _assert_placed(await _place(api, hoarder, product, discount_code=code))
    # While the hoarder's order waits for payment, the one use is taken.
    _assert_problem(await _place(api, shopper, product, discount_code=code), 409)

    cancelled = await api.post(f"/orders/{held}/cancel", headers=hoarder)
    assert cancelled.status_code == 200, cancelled.text

    _assert_placed(await _place(api, shopper, product, discount_code=code))


async def test_a_one_use_code_is_usable_again_once_its_unpaid_order_expires(
    api: httpx.AsyncClient, make_product: MakeProduct, make_user: MakeUser, admin_viewer: Viewer
) -> None:
    code = await _one_use_code(admin_viewer)
    product = await make_product(stock_quantity=20)
    hoarder, shopper = await _signed_in(make_user), await _signed_in(make_user)

    held = _assert_placed(await _place(api, hoarder, product, discount_code=code))
    await _make_overdue(held)
    await orders.expire_unpaid_orders()  # what the worker's cron job runs every minute

    _assert_placed(await _place(api, shopper, product, discount_code=code))


async def test_a_use_comes_back_once_however_the_order_ends(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
) -> None:
    """The shop's cancel, a repeated cancel and an expiry run over one order give the
    code one use back, not three: a two-use code then takes two more orders, not four."""
    code = await _one_use_code(admin_viewer, uses=2)
    product = await make_product(stock_quantity=20)
    admin_token = (await tokens.issue_tokens(admin_viewer.user_id)).access_token
    admin = {"Authorization": f"Bearer {admin_token}"}
    buyers = [await _signed_in(make_user) for _ in range(5)]

    first = _assert_placed(await _place(api, buyers[0], product, discount_code=code))
    _assert_placed(await _place(api, buyers[1], product, discount_code=code))
    _assert_problem(await _place(api, buyers[2], product, discount_code=code), 409)

    assert (await api.post(f"/orders/{first}/cancel", headers=admin)).status_code == 200
    _assert_problem(await api.post(f"/orders/{first}/cancel", headers=admin), 409)
    _assert_problem(await api.post(f"/orders/{first}/cancel", headers=buyers[0]), 409)
    await _make_overdue(first)
    await orders.expire_unpaid_orders()

    _assert_placed(await _place(api, buyers[2], product, discount_code=code))
    _assert_problem(await _place(api, buyers[3], product, discount_code=code), 409)


# --- (b) unpaid orders cannot be placed without end ---------------------------------------


async def test_one_account_cannot_hold_more_than_three_unpaid_orders(
    api: httpx.AsyncClient, make_product: MakeProduct, make_user: MakeUser
) -> None:
    product = await make_product(stock_quantity=50)
    hoarder = await _signed_in(make_user)

    answers = [await _place(api, hoarder, product) for _ in range(6)]

    placed = [_assert_placed(answer) for answer in answers[:3]]
    for refused in answers[3:]:
        problem = _assert_problem(refused, 429)
        assert "waiting for payment" in str(problem["detail"])
        assert int(refused.headers["retry-after"]) >= 1
    # Paying (or cancelling) one frees a place: the limit is on orders held unpaid.
    cancelled = await api.post(f"/orders/{placed[0]}/cancel", headers=hoarder)
    assert cancelled.status_code == 200, cancelled.text
    _assert_placed(await _place(api, hoarder, product))


async def test_one_network_address_cannot_place_unpaid_orders_without_end(
    limits: pytest.MonkeyPatch, make_product: MakeProduct, make_user: MakeUser
) -> None:
    """Fresh accounts from one address: each holds one unpaid order, well under the
    per-account limit, and the address's budget still runs out."""
    limits.setenv("CHECKOUT_ORDERS_PER_NETWORK_ADDRESS", "4/hour")
    get_settings.cache_clear()
    product = await make_product(stock_quantity=50)
    address = _documentation_address()

    async with _client(address) as api, _client(_documentation_address()) as neighbour:
        answers = [await _place(api, await _signed_in(make_user), product) for _ in range(6)]
        elsewhere = await _place(neighbour, await _signed_in(make_user), product)

    for answer in answers[:4]:
        _assert_placed(answer)
    for refused in answers[4:]:
        problem = _assert_problem(refused, 429)
        assert "network" in str(problem["detail"])
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
    _assert_placed(elsewhere)
