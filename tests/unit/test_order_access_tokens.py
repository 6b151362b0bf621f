"""A guest's order token (backend.orders.access_tokens) opens one order, for a while, and
only when this shop signed it for that purpose."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from backend.core.keys import derive_key
from backend.orders import access_tokens
from backend.settings import get_settings


def test_a_token_opens_the_order_it_was_made_for() -> None:
    order_id = uuid.uuid4()

    assert access_tokens.opened_order(access_tokens.issue_order_token(order_id)) == order_id


def test_an_expired_token_opens_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    long_ago = datetime.now(UTC) - access_tokens.ORDER_TOKEN_TTL - timedelta(minutes=1)
    monkeypatch.setattr(access_tokens, "utcnow", lambda: long_ago)

    assert access_tokens.opened_order(access_tokens.issue_order_token(uuid.uuid4())) is None


@pytest.mark.parametrize("text", ["", "not-a-token", "a.b.c", "x" * 2000])
def test_garbage_opens_nothing(text: str) -> None:
    assert access_tokens.opened_order(text) is None


def test_a_changed_token_opens_nothing() -> None:
    token = access_tokens.issue_order_token(uuid.uuid4())
    header, claims, signature = token.split(".")

    assert access_tokens.opened_order(f"{header}.{claims}.{signature[::-1]}") is None


def test_a_token_signed_for_another_purpose_opens_nothing() -> None:
    """The same claims signed with the API access tokens' key (or any other) are refused."""
    now = int(datetime.now(UTC).timestamp())
    base = get_settings().public_base_url
    claims = {
        "iss": base,
        "aud": base + "/orders",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "typ": "order-access",
    }
    other_key = OctKey.import_key(derive_key("access-jwt"))

    assert access_tokens.opened_order(jwt.encode({"alg": "HS256"}, claims, other_key)) is None
