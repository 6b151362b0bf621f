"""Idempotency-Key on state-changing API requests: stored, replayed, refused when misused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from sqlmodel import col, func, select

from api.app import build_http_app
from api.v1 import idempotency
from api.v1.idempotency import IN_FLIGHT_TTL_SECONDS, KEY_PREFIX, IdempotencyMiddleware
from api.v1.problems import install_problem_handlers
from api.v1.rate_limiting import RateLimitMiddleware
from backend.accounts import authentication, tokens
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.core.redis import get_redis
from tests.fixtures.accounts import Credentials, MakeUser

BASE_URL = "http://localhost:3100"


@dataclass
class Things:
    """A tiny API with effects to count, behind the same middleware as /api/v1."""

    app: FastAPI
    made: list[dict[str, Any]] = field(default_factory=list)
    failures_left: int = 0
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def things() -> Things:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware)
    state = Things(app=app)

    @app.post("/things", status_code=201)
    async def make_thing(payload: dict[str, Any]) -> JSONResponse:
        state.started.set()
        if state.gate is not None:
            await state.gate.wait()
        if state.failures_left:
            state.failures_left -= 1
            raise HTTPException(503, "Try again.")
        state.made.append(payload)
        number = len(state.made)
        return JSONResponse(
            {"number": number, "id": uuid.uuid4().hex, **payload},
            status_code=201,
            headers={"Location": f"/things/{number}"},
        )

    @app.post("/things/invalid")
    async def refuse_thing(payload: dict[str, Any]) -> JSONResponse:
        state.made.append(payload)
        return JSONResponse({"refused": len(state.made)}, status_code=409)

    @app.delete("/things/crash")
    async def crash() -> None:
        state.made.append({})
        raise RuntimeError("boom")

    return state


@pytest.fixture
async def client(things: Things) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=things.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def _key() -> dict[str, str]:
    return {"idempotency-key": str(uuid.uuid4())}


async def test_a_retry_gets_the_first_response_and_nothing_runs_twice(
    things: Things, client: httpx.AsyncClient
) -> None:
    key = _key()
    first = await client.post("/things", json={"name": "kettle"}, headers=key)
    retry = await client.post("/things", json={"name": "kettle"}, headers=key)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"] == "/things/1"
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(things.made) == 1


async def test_without_a_key_requests_run_as_usual(
    things: Things, client: httpx.AsyncClient
) -> None:
    first = await client.post("/things", json={"name": "kettle"})
    second = await client.post("/things", json={"name": "kettle"})
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    assert "idempotent-replayed" not in second.headers


async def test_the_same_key_with_another_body_is_refused(
    things: Things, client: httpx.AsyncClient
) -> None:
    key = _key()
    assert (await client.post("/things", json={"name": "kettle"}, headers=key)).status_code == 201
    reused = await client.post("/things", json={"name": "teapot"}, headers=key)
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["detail"] == "This Idempotency-Key was used with a different request."
    assert len(things.made) == 1


async def test_a_key_belongs_to_its_method_and_path(
    things: Things, client: httpx.AsyncClient
) -> None:
    key = _key()
    await client.post("/things", json={"name": "kettle"}, headers=key)
    elsewhere = await client.post("/things/invalid", json={"name": "kettle"}, headers=key)
    assert elsewhere.json() == {"refused": 2}


async def test_a_duplicate_waits_for_the_running_request_and_gets_its_response(
    things: Things, client: httpx.AsyncClient
) -> None:
    things.gate = asyncio.Event()
    key = _key()
    first = asyncio.create_task(client.post("/things", json={"name": "kettle"}, headers=key))
    await asyncio.wait_for(things.started.wait(), 5)
    duplicate = asyncio.create_task(client.post("/things", json={"name": "kettle"}, headers=key))
    await asyncio.sleep(0.2)
    things.gate.set()

    original, replayed = await first, await duplicate
    assert original.status_code == replayed.status_code == 201
    assert replayed.content == original.content
    assert replayed.headers["idempotent-replayed"] == "true"
    assert len(things.made) == 1


async def test_a_duplicate_of_a_long_request_is_told_to_retry_then_gets_the_replay(
    things: Things, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT_SECONDS", 0.1)
    things.gate = asyncio.Event()
    key = _key()
    first = asyncio.create_task(client.post("/things", json={"name": "kettle"}, headers=key))
    await asyncio.wait_for(things.started.wait(), 5)

    duplicate = await client.post("/things", json={"name": "kettle"}, headers=key)
    assert duplicate.status_code == 409
    assert duplicate.headers["retry-after"] == "1"
    assert duplicate.json()["status"] == 409
    # The in-flight lock expires by itself if its process dies.
    locks = [k async for k in get_redis().scan_iter(match=KEY_PREFIX + "*")]
    ttls = [await get_redis().ttl(k) for k in locks]
    assert any(0 < ttl <= IN_FLIGHT_TTL_SECONDS for ttl in ttls)

    things.gate.set()
    original = await first
    retry = await client.post("/things", json={"name": "kettle"}, headers=key)
    assert original.status_code == retry.status_code == 201
    assert retry.content == original.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert len(things.made) == 1


async def test_refusals_are_replayed_too(things: Things, client: httpx.AsyncClient) -> None:
    key = _key()
    first = await client.post("/things/invalid", json={}, headers=key)
    again = await client.post("/things/invalid", json={}, headers=key)
    assert first.status_code == again.status_code == 409
    assert again.content == first.content
    assert len(things.made) == 1


async def test_server_errors_are_not_kept_so_the_client_may_retry(
    things: Things, client: httpx.AsyncClient
) -> None:
    things.failures_left = 1
    key = _key()
    assert (await client.post("/things", json={"n": 1}, headers=key)).status_code == 503
    retry = await client.post("/things", json={"n": 1}, headers=key)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert (await client.post("/things", json={"n": 1}, headers=key)).content == retry.content


async def test_a_crash_releases_the_key(things: Things, client: httpx.AsyncClient) -> None:
    key = _key()
    assert (await client.delete("/things/crash", headers=key)).status_code == 500
    # Not a 409 "still running": the request runs again.
    assert (await client.delete("/things/crash", headers=key)).status_code == 500
    assert len(things.made) == 2


@pytest.mark.parametrize(
    "bad_key", ["", "x" * 256, "tab\there", "caf\u00e9"], ids=["empty", "long", "control", "latin"]
)
async def test_malformed_keys_are_refused(
    things: Things, client: httpx.AsyncClient, bad_key: str
) -> None:
    response = await client.post(
        "/things", json={}, headers=[(b"idempotency-key", bad_key.encode("latin-1"))]
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert things.made == []


async def test_a_key_of_255_printable_characters_is_fine(client: httpx.AsyncClient) -> None:
    key = {"idempotency-key": ("~ !" * 85)[:255]}
    assert (await client.post("/things", json={}, headers=key)).status_code == 201


async def test_a_keyed_body_over_a_megabyte_is_refused(
    things: Things, client: httpx.AsyncClient
) -> None:
    response = await client.post("/things", json={"blob": "x" * (1024 * 1024)}, headers=_key())
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert things.made == []


# Through the real app: admins creating products.


async def _bearer(credentials: Credentials) -> dict[str, str]:
    signed_in = await authentication.sign_in(email=credentials.email, password=credentials.password)
    token = (await tokens.issue_tokens(signed_in.viewer.user_id)).access_token
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def _products_with_sku(sku: str) -> int:
    async with session_scope() as session:
        return (await session.exec(select(func.count()).where(col(Product.sku) == sku))).one()


def _new_product(category: uuid.UUID, unique: str) -> dict[str, Any]:
    return {
        "name": f"Idempotent kettle {unique}",
        "sku": f"IDEM-{unique}",
        "price": "24.50",
        "category_id": str(category),
        "stock_quantity": 3,
    }


async def test_creating_a_product_twice_with_one_key_makes_one(
    api: httpx.AsyncClient, staff_admin: Credentials, category: uuid.UUID, unique: str
) -> None:
    headers = {**await _bearer(staff_admin), **_key()}
    body = _new_product(category, unique)
    first = await api.post("/api/v1/products", json=body, headers=headers)
    retry = await api.post("/api/v1/products", json=body, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["etag"] == first.headers["etag"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]
    assert "ratelimit-remaining" in retry.headers
    assert await _products_with_sku(body["sku"]) == 1


async def test_concurrent_creates_with_one_key_make_one_product(
    api: httpx.AsyncClient, staff_admin: Credentials, category: uuid.UUID, unique: str
) -> None:
    headers = {**await _bearer(staff_admin), **_key()}
    body = _new_product(category, unique)
    responses = await asyncio.gather(
        *(api.post("/api/v1/products", json=body, headers=headers) for _ in range(2))
    )
    # The second found the first running and waited for its response.
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert sorted("idempotent-replayed" in response.headers for response in responses) == [
        False,
        True,
    ]
    assert await _products_with_sku(body["sku"]) == 1


async def test_one_key_used_by_two_callers_is_two_requests(
    api: httpx.AsyncClient, make_user: MakeUser, category: uuid.UUID, unique: str
) -> None:
    admins = [
        await make_user(roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})) for _ in "ab"
    ]
    key = _key()
    for number, admin in enumerate(admins):
        body = {**_new_product(category, f"{unique}{number}")}
        response = await api.post(
            "/api/v1/products", json=body, headers={**await _bearer(admin), **key}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
