"""API access tokens name the API as their audience, and the API refuses any other.

The attack: a JWT signed with the shop's key but made for something else (another purpose
or service that shares the key, or a token minted before audiences existed) is presented
as a Bearer token. Signature, issuer and expiry are all good; only the audience says it
is not an API access token.
"""

from __future__ import annotations

import uuid

import httpx
from joserfc import jwt

from api.app import build_http_app
from backend.accounts import authentication, tokens
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials


def api_client() -> httpx.AsyncClient:
    number = uuid.uuid4().int
    address = f"10.{number % 256}.{number // 256 % 256}.{number // 65536 % 254 + 1}"
    transport = httpx.ASGITransport(app=build_http_app(), client=(address, 123))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost/api/v1")


async def me(access_token: str) -> httpx.Response:
    async with api_client() as client:
        return await client.get("/users/me", headers={"authorization": f"Bearer {access_token}"})


async def issued_claims(shopper: Credentials) -> dict[str, object]:
    """The claims of a real access token of this shopper's."""
    user_id = await authentication.authenticate_for_tokens(
        email=shopper.email, password=shopper.password
    )
    pair = await tokens.issue_tokens(user_id)
    assert (await me(pair.access_token)).status_code == 200  # a real token works
    return dict(jwt.decode(pair.access_token, tokens._signing_key()).claims)


def resigned(claims: dict[str, object]) -> str:
    """Signed with the shop's own key: only the claims are wrong."""
    return jwt.encode({"alg": tokens.ALGORITHM}, claims, tokens._signing_key())


async def test_a_token_without_an_audience_is_refused(shopper: Credentials) -> None:
    claims = await issued_claims(shopper)
    claims.pop("aud", None)
    response = await me(resigned(claims))
    assert response.status_code == 401, response.text


async def test_a_token_for_another_audience_is_refused(shopper: Credentials) -> None:
    claims = await issued_claims(shopper)
    claims["aud"] = get_settings().public_base_url + "/cart/restore"
    response = await me(resigned(claims))
    assert response.status_code == 401, response.text
