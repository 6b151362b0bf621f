"""The development SECRET_KEY validates nothing in production, even where settings
validation was bypassed.

Settings refuse the development key in production. These tests take that refusal away (a
production process whose settings were built without validation, as a future code path,
a test helper or a hand-made settings object could) and replay the forgeries anyone can
make who read `backend/settings.py`: an admin's API access token, and the cart reminder's
unsubscribe link for somebody else's address. Every key the shop derives from SECRET_KEY
must refuse to exist then.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from pydantic import SecretStr

import backend.settings
from api.app import build_http_app
from backend.accounts import authentication
from backend.cart_recovery import opt_outs
from backend.settings import DEVELOPMENT_SECRET_KEY, Environment, Settings, get_settings
from tests.fixtures.accounts import Credentials

PUBLISHED = DEVELOPMENT_SECRET_KEY.encode()


def forge(purpose_prefix: bytes, claims: dict[str, object]) -> str:
    """A token signed as the source code says the shop derives its keys."""
    key = OctKey.import_key(hashlib.sha256(purpose_prefix + PUBLISHED).digest())
    return jwt.encode({"alg": "HS256"}, claims, key)


@pytest.fixture
def production_with_the_development_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    values = {
        **dict(get_settings()),
        "environment": Environment.PRODUCTION,
        "secret_key": SecretStr(DEVELOPMENT_SECRET_KEY),
    }
    unvalidated = Settings.model_construct(**values)
    monkeypatch.setattr(backend.settings, "Settings", lambda: unvalidated)
    get_settings.cache_clear()
    assert get_settings().is_production
    yield
    get_settings.cache_clear()


async def test_a_forged_admin_access_token_is_refused(
    staff_admin: Credentials, production_with_the_development_key: None
) -> None:
    admin_id = await authentication.authenticate_for_tokens(
        email=staff_admin.email, password=staff_admin.password
    )
    base = get_settings().public_base_url
    now = int(time.time())
    forged = forge(
        b"access-jwt:",
        {
            "iss": base,
            "aud": base + "/api/v1",
            "sub": str(admin_id),
            "roles": ["admin", "user"],
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "typ": "access",
        },
    )
    transport = httpx.ASGITransport(app=build_http_app(), client=("10.9.8.7", 123))
    async with httpx.AsyncClient(transport=transport, base_url=base + "/api/v1") as client:
        response = await client.get("/users/me", headers={"authorization": f"Bearer {forged}"})
    assert response.status_code == 401, response.text


async def test_a_forged_unsubscribe_link_is_refused(
    unique: str, production_with_the_development_key: None
) -> None:
    victim = f"someone-{unique}@example.com"
    forged = forge(
        b"cart_reminder_unsubscribe:",
        {
            "iss": get_settings().public_base_url,
            "sub": victim,
            "typ": "cart_reminder_unsubscribe",
            "exp": int(time.time()) + 600,
        },
    )
    assert await opt_outs.unsubscribe(forged) is None
