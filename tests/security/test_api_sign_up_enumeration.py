"""Account enumeration through the API's sign-up, replayed as raw HTTP.

`POST /api/v1/users` used to answer 409 for an e-mail address that has an account, so
anyone could test which addresses are customers of the shop. Now a new and a taken
address get the same status, headers and body, and take about as long (the password is
hashed either way); the owner of a taken address is told by e-mail instead.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from api.app import build_http_app
from backend.accounts import passwords
from backend.core.db import session_scope
from backend.events.models import OutboxEvent
from backend.settings import get_settings

GOOD_PASSWORD = "heron lantern cobalt"
# Headers that differ between any two responses.
PER_RESPONSE = {"x-request-id", "date", "ratelimit-remaining", "ratelimit-reset"}


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    number = uuid.uuid4().int
    address = f"100.{64 + number % 64}.{number // 64 % 256}.{number // 16384 % 254 + 1}"
    transport = httpx.ASGITransport(app=build_http_app(), client=(address, 40000))
    base_url = get_settings().public_base_url + "/api/v1"
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def observable(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k.lower() not in PER_RESPONSE}
    return response.status_code, headers, response.content


async def test_sign_up_answers_the_same_for_a_new_and_a_taken_email(
    api: httpx.AsyncClient, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    real_hash = passwords.hash_password

    def counting_hash(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    email = f"Owner-{unique}@example.com"

    new = await api.post(
        "/users", json={"username": f"owner_{unique}", "email": email, "password": GOOD_PASSWORD}
    )
    taken = await api.post(
        "/users", json={"username": f"prober_{unique}", "email": email, "password": GOOD_PASSWORD}
    )

    assert new.status_code < 300, new.text
    assert observable(taken) == observable(new)
    assert len(hashed) == 2  # the same work either way, so timing tells nothing either

    # The owner gets an e-mail about it; no second account exists.
    async with session_scope() as session:
        kinds = list(
            await session.exec(
                select(OutboxEvent.event_type).where(
                    func.lower(OutboxEvent.payload["email"].astext) == email.lower()
                )
            )
        )
        usernames = list(
            await session.exec(
                select(OutboxEvent.payload["username"].astext).where(
                    col(OutboxEvent.event_type) == "UserRegistered",
                    func.lower(OutboxEvent.payload["email"].astext) == email.lower(),
                )
            )
        )
    assert sorted(kinds) == [
        "EmailVerificationRequested",
        "SignUpWithExistingEmailAttempted",
        "UserRegistered",
    ]
    assert usernames == [f"owner_{unique}"]
