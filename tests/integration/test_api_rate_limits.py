"""API rate limits: per caller (token account, else address) and route group, in Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlmodel import col, select
from starlette.types import ASGIApp

from api.app import build_http_app
from api.v1.idempotency import IdempotencyMiddleware
from api.v1.problems import install_problem_handlers
from api.v1.rate_limiting import RateLimitMiddleware, route_group
from backend.accounts import authentication, tokens
from backend.core.db import session_scope
from backend.merchandising import promotions
from backend.merchandising.models import Promotion
from backend.settings import get_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.redis_commands import RedisCommandLog

BASE_URL = "http://localhost:3100"


def _address() -> str:
    """A documentation address of its own per test, so counts never carry over."""
    number = uuid.uuid4().int
    return f"198.51.{number % 250}.{(number >> 8) % 250 + 1}"


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set API_RATE_LIMIT_* with monkeypatch.setenv, then call get_settings.cache_clear()."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _client(address: str, app: ASGIApp | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app or build_http_app(), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def _token_for(make_user: MakeUser) -> str:
    credentials = await make_user()
    signed_in = await authentication.sign_in(email=credentials.email, password=credentials.password)
    return (await tokens.issue_tokens(signed_in.viewer.user_id)).access_token


def test_every_request_falls_in_a_group() -> None:
    assert route_group("GET", "/products") == "read"
    assert route_group("HEAD", "/products") == "read"
    assert route_group("POST", "/products") == "write"
    assert route_group("DELETE", "/products/1") == "write"
    assert route_group("POST", "/auth/token") == "auth"
    assert route_group("POST", "/auth/password-reset") == "auth"
    assert route_group("POST", "/orders/lookup") == "auth"  # guessing a number and e-mail
    assert route_group("GET", "/orders/KG-1") == "read"
    assert route_group("POST", "/a-route-added-later") == "write"


async def test_the_request_over_the_limit_is_refused_and_other_callers_are_not(
    limits: pytest.MonkeyPatch,
) -> None:
    limits.setenv("API_RATE_LIMIT_READ", "3/minute")
    get_settings.cache_clear()
    address = _address()
    async with _client(address) as client, _client(_address()) as neighbour:
        for remaining in (2, 1, 0):
            response = await client.get("/api/v1/health")
            assert response.status_code == 200
            assert response.headers["ratelimit-limit"] == "3"
            assert response.headers["ratelimit-remaining"] == str(remaining)
            assert 1 <= int(response.headers["ratelimit-reset"]) <= 60

        refused = await client.get("/api/v1/health")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-limit"] == "3"
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-reset"] == refused.headers["retry-after"]
        assert "x-request-id" in refused.headers

        # Another address has its own window.
        assert (await neighbour.get("/api/v1/health")).status_code == 200


async def test_limits_reset_when_the_window_moves_on(limits: pytest.MonkeyPatch) -> None:
    limits.setenv("API_RATE_LIMIT_READ", "2/second")
    get_settings.cache_clear()
    app = build_http_app()
    async with _client(_address(), app) as client, _client(_address(), app) as warm_up:
        # The app's first request sets up its connections: on a busy machine that alone
        # can outlast the one-second window the three requests below must share.
        await warm_up.get("/api/v1/health")
        assert (await client.get("/api/v1/health")).status_code == 200
        assert (await client.get("/api/v1/health")).status_code == 200
        refused = await client.get("/api/v1/health")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        await asyncio.sleep(1.1)
        assert (await client.get("/api/v1/health")).status_code == 200


async def test_a_token_is_limited_by_its_account_not_its_address(
    limits: pytest.MonkeyPatch, make_user: MakeUser
) -> None:
    limits.setenv("API_RATE_LIMIT_READ", "2/minute")
    get_settings.cache_clear()
    first, second = await _token_for(make_user), await _token_for(make_user)
    async with _client(_address()) as here, _client(_address()) as elsewhere:
        as_first = {"authorization": f"Bearer {first}"}
        assert (await here.get("/api/v1/health", headers=as_first)).status_code == 200
        # The same account from another address shares the account's window.
        assert (await elsewhere.get("/api/v1/health", headers=as_first)).status_code == 200
        assert (await here.get("/api/v1/health", headers=as_first)).status_code == 429

        # Another account, and anonymous requests from the same address, are unaffected.
        as_second = {"authorization": f"Bearer {second}"}
        assert (await here.get("/api/v1/health", headers=as_second)).status_code == 200
        assert (await here.get("/api/v1/health")).status_code == 200


async def test_an_invalid_token_counts_against_its_address(limits: pytest.MonkeyPatch) -> None:
    limits.setenv("API_RATE_LIMIT_READ", "2/minute")
    get_settings.cache_clear()
    forged = {"authorization": f"Bearer forged.{uuid.uuid4().hex}.token"}
    async with _client(_address()) as client:
        assert (await client.get("/api/v1/health", headers=forged)).status_code == 200
        other_forgery = {"authorization": f"Bearer forged.{uuid.uuid4().hex}.token"}
        assert (await client.get("/api/v1/health", headers=other_forgery)).status_code == 200
        # Changing the (unverified) token does not buy a fresh window.
        assert (await client.get("/api/v1/health")).status_code == 429


async def test_token_requests_are_limited_strictly_per_address(
    limits: pytest.MonkeyPatch, make_user: MakeUser
) -> None:
    limits.setenv("API_RATE_LIMIT_AUTH", "2/minute")
    get_settings.cache_clear()
    bearer = {"authorization": f"Bearer {await _token_for(make_user)}"}
    form = {"grant_type": "password", "username": "nobody@example.com", "password": "wrong"}
    async with _client(_address()) as client, _client(_address()) as neighbour:
        for _ in range(2):
            assert (await client.post("/api/v1/auth/token", data=form)).status_code != 429
        # Even a valid token does not move token requests off the address's window.
        refused = await client.post("/api/v1/auth/token", data=form, headers=bearer)
        assert refused.status_code == 429
        assert "retry-after" in refused.headers
        assert (await neighbour.post("/api/v1/auth/token", data=form)).status_code != 429
        # Reads are another group.
        assert (await client.get("/api/v1/health")).status_code == 200


async def test_writes_have_their_own_limit(limits: pytest.MonkeyPatch) -> None:
    limits.setenv("API_RATE_LIMIT_WRITE", "1/minute")
    get_settings.cache_clear()
    async with _client(_address()) as client:
        assert (await client.delete(f"/api/v1/products/{uuid.uuid4()}")).status_code == 401
        assert (await client.delete(f"/api/v1/products/{uuid.uuid4()}")).status_code == 429
        assert (await client.get("/api/v1/health")).status_code == 200


@pytest.fixture
async def redis_down(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Point the app at a Redis address where nothing listens."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_without_redis_the_api_stays_up(redis_down: None) -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    @app.post("/things")
    async def make_thing() -> dict[str, str]:
        return {"made": "yes"}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.get("/ping")
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers
        assert (await client.post("/things")).status_code == 200
        # A request that asks for idempotency cannot get it now: retry later, not twice.
        keyed = await client.post("/things", headers={"idempotency-key": "k-1"})
        assert keyed.status_code == 503
        assert keyed.headers["retry-after"] == "5"


@pytest.fixture
async def no_sale_live() -> AsyncIterator[None]:
    """No promotion live for the test (an earlier test may have left one on), and those
    that were live are again after it. A live sale makes listings' prices key read the
    category tree from the cache: one more Redis round trip."""
    async with session_scope() as session:
        live = (await session.exec(select(Promotion.id).where(col(Promotion.is_active)))).all()
        await session.exec(
            update(Promotion).where(col(Promotion.id).in_(live)).values(is_active=False)
        )
    promotions.forget_cached()
    try:
        yield
    finally:
        async with session_scope() as session:
            await session.exec(
                update(Promotion).where(col(Promotion.id).in_(live)).values(is_active=True)
            )
        promotions.forget_cached()


@pytest.mark.usefixtures("no_sale_live")
async def test_a_cached_read_costs_two_redis_round_trips(make_product: MakeProduct) -> None:
    """Its rate limit (counted and reported in one call) and the cached answer (issue #24:
    every round trip is Redis and client CPU on every API request)."""
    await make_product()
    log = RedisCommandLog(get_settings().redis_url)
    async with _client(_address()) as client:
        assert (await client.get("/api/v1/products?limit=5")).status_code == 200  # cached now
        with log.recording() as recording:
            response = await client.get("/api/v1/products?limit=5")

    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"]
    # Opening or checking a pooled connection (after a test restarted Redis, or every
    # 30 s idle) is not the request's own work.
    upkeep = ("SELECT ", "PING", "CLIENT ", "HELLO ")
    own = [command for command in recording.commands if not command.startswith(upkeep)]
    assert len(own) == 2, "\n".join(recording.commands)
    assert own[0].startswith("EVALSHA")
    assert "shop-limits:" in own[0]
    assert own[1].startswith("EVALSHA")
    assert "catalog:version" in own[1]
