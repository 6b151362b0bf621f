"""Security headers on every response; cookies that only the shop's own HTTPS pages get."""

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.app import build_http_app
from api.security_headers import add_security_headers
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials


def _page(request: object) -> PlainTextResponse:
    return PlainTextResponse("hello", headers={"x-frame-options": "SAMEORIGIN"})


@pytest.fixture
def production_https(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com:587")
    monkeypatch.setenv("PAYMENT_GATEWAY", "test")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://shop.example.com")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _get(path: str = "/") -> httpx.Response:
    app = add_security_headers(Starlette(routes=[Route("/", _page)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


async def test_every_response_carries_the_security_headers() -> None:
    response = await _get()
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"  # the app's own value is replaced
    assert "strict-transport-security" not in response.headers  # plain HTTP in development


async def test_production_over_https_adds_hsts(production_https: None) -> None:
    response = await _get()
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")
    assert "wss://shop.example.com" in response.headers["content-security-policy"]


async def test_production_session_cookie_is_secure_and_host_only(
    production_https: None, shopper: Credentials
) -> None:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="https://shop.example.com"
    ) as client:
        response = await client.post(
            "/auth/sign-in",
            data={"email": shopper.email, "password": shopper.password},
            headers={"origin": "https://shop.example.com"},
        )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-shop_session=")
    for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
        assert attribute.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()
