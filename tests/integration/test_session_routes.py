"""The browser's sign-in and sign-out HTTP routes: cookie, origin check, safe redirects."""

from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import build_http_app
from backend.accounts import authentication, browser_sessions
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials

# The shop's own origin, whatever TEST_WEB_PORT the run uses: the routes check it.
SHOP = get_settings().public_base_url
ORIGIN = {"origin": SHOP}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(transport=transport, base_url=SHOP) as client:
        yield client


async def test_sign_in_sets_an_http_only_session_cookie(
    client: httpx.AsyncClient, shopper: Credentials
) -> None:
    response = await client.post(
        "/auth/sign-in",
        data={"email": shopper.email, "password": shopper.password, "next": "/cart"},
        headers=ORIGIN,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/cart"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(get_settings().session_cookie_name + "=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    token = response.cookies[get_settings().session_cookie_name]
    assert (await browser_sessions.resolve_session(token)) is not None


async def test_wrong_password_goes_back_to_the_form_with_a_reason(
    client: httpx.AsyncClient, shopper: Credentials
) -> None:
    response = await client.post(
        "/auth/sign-in",
        data={"email": shopper.email, "password": "wrong", "form_page": "/admin", "next": "/admin"},
        headers=ORIGIN,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin?error=invalid_credentials&next=%2Fadmin"
    assert "set-cookie" not in response.headers


async def test_a_sign_in_posted_from_another_site_is_refused(
    client: httpx.AsyncClient, shopper: Credentials
) -> None:
    response = await client.post(
        "/auth/sign-in",
        data={"email": shopper.email, "password": shopper.password},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 303
    assert "error=origin" in response.headers["location"]
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
async def test_next_never_leaves_the_shop(
    client: httpx.AsyncClient, shopper: Credentials, target: str
) -> None:
    response = await client.post(
        "/auth/sign-in",
        data={"email": shopper.email, "password": shopper.password, "next": target},
        headers=ORIGIN,
    )
    assert response.headers["location"] == "/"


async def test_sign_out_revokes_the_session_and_clears_the_cookie(
    client: httpx.AsyncClient, shopper: Credentials
) -> None:
    signed_in = await authentication.sign_in(email=shopper.email, password=shopper.password)
    cookie_name = get_settings().session_cookie_name
    client.cookies.set(cookie_name, signed_in.session_token)
    response = await client.post("/auth/sign-out", headers=ORIGIN)
    assert response.status_code == 303
    assert f'{cookie_name}=""' in response.headers["set-cookie"]
    assert await browser_sessions.resolve_session(signed_in.session_token) is None


async def test_health_reports_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.json() == {"status": "ok"}
