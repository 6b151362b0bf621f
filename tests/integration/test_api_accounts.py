"""Contract of /api/v1/auth/token, /auth/revoke and /users: the OAuth2 password and
refresh grants (refusals are 400 invalid_grant, in problem+json), sign-up (202/400/429;
the same 202 for a taken e-mail)
and reading an account (401/403/404; yourself, or anyone for an admin)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from api.app import build_http_app
from backend.accounts import authentication, registration, tokens
from backend.accounts import queries as account_queries
from backend.accounts.models import User
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.accounts.schemas import UserRecord, Viewer
from backend.core.db import session_scope
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials, MakeUser

PROBLEM = "application/problem+json"
GOOD_PASSWORD = "heron lantern cobalt"


def own_address() -> str:
    """A network address of the test's own: the API's per-address limits (sign-in
    attempts, the auth route group) then count this test's requests alone."""
    number = uuid.uuid4().int
    return f"10.{number % 256}.{number // 256 % 256}.{number // 65536 % 254 + 1}"


def client_for(ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_http_app(), client=(ip, 123))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:3100/api/v1")


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(own_address()) as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def assert_invalid_grant(response: httpx.Response, kind: str) -> dict[str, object]:
    body = assert_problem(response, 400)
    assert body["error"] == "invalid_grant"
    assert body["type"] == f"https://kestrel.example/problems/{kind}"
    assert body["error_description"] == body["detail"]
    return body


async def password_grant(
    api: httpx.AsyncClient, email: str, password: str, **extra: str
) -> httpx.Response:
    return await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": email, "password": password, **extra},
    )


async def refresh_grant(api: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await api.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


async def bearer_for(credentials: Credentials) -> tuple[uuid.UUID, dict[str, str]]:
    user_id = await authentication.authenticate_for_tokens(
        email=credentials.email, password=credentials.password
    )
    pair = await tokens.issue_tokens(user_id)
    return user_id, {"Authorization": f"Bearer {pair.access_token}"}


async def bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


# --- POST /auth/token: password grant --------------------------------------------------


async def test_the_password_grant_returns_a_bearer_pair_that_works(
    api: httpx.AsyncClient, shopper: Credentials
) -> None:
    response = await password_grant(api, shopper.email, shopper.password)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body.keys() == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 900)
    me = await api.get("/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == shopper.email
    assert me.json()["lastLoginAt"] is not None


async def test_a_wrong_password_and_an_unknown_email_get_the_same_invalid_grant(
    api: httpx.AsyncClient, shopper: Credentials, unique: str
) -> None:
    wrong = assert_invalid_grant(
        await password_grant(api, shopper.email, "not the password"), "invalid-credentials"
    )
    unknown = assert_invalid_grant(
        await password_grant(api, f"nobody-{unique}@example.com", shopper.password),
        "invalid-credentials",
    )
    assert wrong["detail"] == unknown["detail"]


@pytest.fixture
def quick_lock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SIGN_IN_MAX_FAILURES", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SIGN_IN_MAX_FAILURES")
    get_settings.cache_clear()


async def test_repeated_failures_lock_that_network_out_even_with_the_right_password(
    api: httpx.AsyncClient, shopper: Credentials, quick_lock: None
) -> None:
    for _ in range(2):
        assert_invalid_grant(
            await password_grant(api, shopper.email, "wrong"), "invalid-credentials"
        )
    assert_invalid_grant(await password_grant(api, shopper.email, "wrong"), "account-locked")

    assert_invalid_grant(
        await password_grant(api, shopper.email, shopper.password), "account-locked"
    )


async def test_an_account_locked_by_staff_gets_no_tokens(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    locked = await make_user(status="locked")

    assert_invalid_grant(
        await password_grant(api, locked.email, locked.password), "account-suspended"
    )


async def test_an_unconfirmed_account_gets_no_tokens(api: httpx.AsyncClient, unique: str) -> None:
    email = f"pending-{unique}@example.com"
    await registration.register(
        {"username": f"pending_{unique}", "email": email, "password": GOOD_PASSWORD}
    )

    assert_invalid_grant(await password_grant(api, email, GOOD_PASSWORD), "account-not-active")


async def test_too_many_attempts_from_one_network_get_429_with_retry_after(
    shopper: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_IN_IP_LIMIT", "2/10 minutes")
    get_settings.cache_clear()
    try:
        async with client_for(own_address()) as api:
            for _ in range(2):
                await password_grant(api, shopper.email, "wrong")
            response = await password_grant(api, shopper.email, shopper.password)
    finally:
        monkeypatch.undo()  # the session's generous limit back before settings are re-read
        get_settings.cache_clear()

    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "a@example.com"}, "invalid_request"),
        ({"grant_type": "password", "password": "x"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
async def test_malformed_token_requests_are_400_with_an_oauth_error(
    api: httpx.AsyncClient, form: dict[str, str], error: str
) -> None:
    body = assert_problem(await api.post("/auth/token", data=form), 400)
    assert body["error"] == error


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"username": "a@example.com", "password": "x"}, "grant_type"),
        ({"grant_type": "password", "username": "a\x00b@example.com", "password": "x"}, "username"),
        (
            {"grant_type": "password", "username": "a@example.com", "password": "x" * 600},
            "password",
        ),
        ({"grant_type": "refresh_token", "refresh_token": "x" * 201}, "refresh_token"),
    ],
)
async def test_a_malformed_field_is_invalid_request_with_the_field_named(
    api: httpx.AsyncClient, form: dict[str, str], field: str
) -> None:
    body = assert_problem(await api.post("/auth/token", data=form), 400)

    assert body["error"] == "invalid_request"
    assert field in body["errors"]  # type: ignore[operator]


async def test_a_json_token_request_is_invalid_request(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/token", json={"grant_type": "password"})

    assert assert_problem(response, 400)["error"] == "invalid_request"


# --- POST /auth/token: refresh grant, POST /auth/revoke ---------------------------------


async def test_a_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(
    api: httpx.AsyncClient, shopper: Credentials
) -> None:
    first = (await password_grant(api, shopper.email, shopper.password)).json()

    rotated = await refresh_grant(api, first["refresh_token"])

    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await api.get("/users/me", headers=headers)).status_code == 200

    # The spent token again: someone else has it, so the whole sign-in ends.
    assert_invalid_grant(await refresh_grant(api, first["refresh_token"]), "invalid-token")
    assert_invalid_grant(await refresh_grant(api, second["refresh_token"]), "invalid-token")


async def test_an_unknown_refresh_token_is_invalid_grant(api: httpx.AsyncClient) -> None:
    assert_invalid_grant(await refresh_grant(api, "not-a-token"), "invalid-token")


async def test_revoking_a_refresh_token_ends_it(
    api: httpx.AsyncClient, shopper: Credentials
) -> None:
    granted = await password_grant(api, shopper.email, shopper.password)
    assert granted.status_code == 200, granted.text
    pair = granted.json()

    response = await api.post("/auth/revoke", data={"token": pair["refresh_token"]})

    assert response.status_code == 204
    assert_invalid_grant(await refresh_grant(api, pair["refresh_token"]), "invalid-token")
    # An unknown token gets the same answer: the endpoint tells nothing about tokens.
    assert (await api.post("/auth/revoke", data={"token": "unknown"})).status_code == 204
    assert_problem(await api.post("/auth/revoke", data={}), 400)


async def test_the_docs_authorize_with_the_password_flow(api: httpx.AsyncClient) -> None:
    schemes = (await api.get("/openapi.json")).json()["components"]["securitySchemes"]

    (scheme,) = [scheme for scheme in schemes.values() if scheme["type"] == "oauth2"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    # A guest's two credentials are the other schemes: headers, never in a URL.
    guest = {
        name: (s["type"], s["in"], s["name"])
        for name, s in schemes.items()
        if name != "OAuth2PasswordBearer"
    }
    assert guest == {
        "cartToken": ("apiKey", "header", "X-Cart-Token"),
        "orderToken": ("apiKey", "header", "X-Order-Token"),
    }


# --- POST /users -------------------------------------------------------------------------


def sign_up(unique: str, **overrides: object) -> dict[str, object]:
    return {
        "username": f"api_{unique}",
        "email": f"Api-{unique}@Example.com",
        "password": GOOD_PASSWORD,
        "firstName": "Ada",
        "lastName": "Lovelace",
        **overrides,
    }


async def _account(email: str) -> UserRecord:
    async with session_scope() as session:
        user_id = (
            await session.exec(select(User.id).where(func.lower(User.email) == email.lower()))
        ).one()
    return await account_queries.get_user(user_id)


async def test_sign_up_creates_a_pending_account(api: httpx.AsyncClient, unique: str) -> None:
    response = await api.post("/users", json=sign_up(unique))

    assert response.status_code == 202, response.text
    body = response.json()
    assert body.keys() == {"email", "detail"}
    assert body["email"] == f"Api-{unique}@example.com"
    assert "location" not in response.headers
    account = await _account(body["email"])
    assert (account.username, account.first_name, account.last_name) == (
        f"api_{unique}",
        "Ada",
        "Lovelace",
    )
    assert (account.status, list(account.roles)) == ("pending", ["user"])


async def test_names_are_optional_at_sign_up(api: httpx.AsyncClient, unique: str) -> None:
    body = {"username": f"api_{unique}", "email": f"api-{unique}@example.com"}

    response = await api.post("/users", json={**body, "password": GOOD_PASSWORD})

    assert response.status_code == 202, response.text
    account = await _account(f"api-{unique}@example.com")
    assert (account.first_name, account.last_name) == (None, None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "x"}, "username"),
        ({"username": "no spaces allowed"}, "username"),
        ({"email": "not-an-address"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"firstName": "A" * 101}, "firstName"),
        ({"lastName": "B" * 101}, "lastName"),
        ({"username": 42}, "username"),
        ({"email": None}, "email"),
    ],
)
async def test_invalid_sign_up_fields_are_400_with_the_field_named(
    api: httpx.AsyncClient, unique: str, overrides: dict[str, object], field: str
) -> None:
    body = assert_problem(await api.post("/users", json=sign_up(unique, **overrides)), 400)

    assert field in body["errors"]  # type: ignore[operator]


async def test_a_sign_up_without_a_password_is_400(api: httpx.AsyncClient, unique: str) -> None:
    body = sign_up(unique)
    del body["password"]

    assert "password" in assert_problem(await api.post("/users", json=body), 400)["errors"]  # type: ignore[operator]


async def test_a_taken_email_gets_the_same_202_and_a_taken_username_is_400(
    api: httpx.AsyncClient, unique: str
) -> None:
    first = await api.post("/users", json=sign_up(unique))
    # The same e-mail in other letter case is the same mailbox.
    same_mailbox = sign_up(unique, username=f"other_{unique}", email=f"API-{unique}@EXAMPLE.com")
    again = await api.post("/users", json=same_mailbox)
    assert (again.status_code, again.json()["detail"]) == (202, first.json()["detail"])

    taken = sign_up(unique, email=f"OTHER-{unique}@example.com")
    body = assert_problem(await api.post("/users", json=taken), 400)
    assert "username" in body["errors"]  # type: ignore[operator]


async def test_too_many_sign_ups_from_one_network_are_429(unique: str) -> None:
    async with client_for(own_address()) as api:
        for n in range(registration.SIGN_UPS_PER_IP.item.amount):
            body = sign_up(unique, username=f"n{n}_{unique}", email=f"n{n}-{unique}@example.com")
            assert (await api.post("/users", json=body)).status_code == 202
        response = await api.post("/users", json=sign_up(unique))

    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) > 0


# --- GET /users/{id}, /users/me ----------------------------------------------------------


async def test_reading_a_user_needs_a_token(api: httpx.AsyncClient) -> None:
    for path in (f"/users/{uuid.uuid4()}", "/users/me"):
        response = await api.get(path)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(await api.get("/users/me", headers={"Authorization": "Bearer not.a.token"}), 401)


async def test_a_user_sees_themself(api: httpx.AsyncClient, shopper: Credentials) -> None:
    user_id, headers = await bearer_for(shopper)

    by_id = await api.get(f"/users/{user_id}", headers=headers)
    me = await api.get("/users/me", headers=headers)

    assert by_id.status_code == me.status_code == 200
    assert by_id.json() == me.json()
    body = by_id.json()
    assert body.keys() == {
        *("id", "username", "email", "firstName", "lastName", "status", "lastLoginAt"),
        *("createdAt", "roles"),
    }
    assert (body["id"], body["username"], body["status"]) == (
        str(user_id),
        shopper.username,
        "active",
    )
    assert (body["firstName"], body["lastName"], body["roles"]) == (
        "Test",
        shopper.username,
        ["user"],
    )


async def test_a_user_gets_403_for_anyone_else_existing_or_not(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await bearer_for(await make_user())
    other_id, _ = await bearer_for(await make_user())

    existing = assert_problem(await api.get(f"/users/{other_id}", headers=headers), 403)
    missing = assert_problem(await api.get(f"/users/{uuid.uuid4()}", headers=headers), 403)

    assert existing["detail"] == missing["detail"]


async def test_moderators_see_only_themselves(api: httpx.AsyncClient, make_user: MakeUser) -> None:
    moderator_id, headers = await bearer_for(
        await make_user(roles=frozenset({DefaultGroup.MODERATORS, RoleName.USER}))
    )
    other_id, _ = await bearer_for(await make_user())

    assert (await api.get(f"/users/{moderator_id}", headers=headers)).status_code == 200
    assert_problem(await api.get(f"/users/{other_id}", headers=headers), 403)


async def test_an_admin_sees_anyone_and_gets_404_for_no_one(
    api: httpx.AsyncClient, admin_viewer: Viewer, shopper: Credentials
) -> None:
    shopper_id, _ = await bearer_for(shopper)
    headers = await bearer(admin_viewer)

    seen = await api.get(f"/users/{shopper_id}", headers=headers)

    assert seen.status_code == 200
    assert seen.json()["email"] == shopper.email
    assert_problem(await api.get(f"/users/{uuid.uuid4()}", headers=headers), 404)


async def test_a_malformed_user_id_is_400(api: httpx.AsyncClient, admin_viewer: Viewer) -> None:
    response = await api.get("/users/not-a-uuid", headers=await bearer(admin_viewer))

    assert "user_id" in assert_problem(response, 400)["errors"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"firstName": "Ada\x00"}, "firstName"),
        ({"username": "ada\x00"}, "username"),
        ({"email": "ada\x00@example.com"}, "email"),
    ],
)
async def test_a_nul_in_a_sign_up_field_is_400_not_a_server_error(
    api: httpx.AsyncClient, unique: str, overrides: dict[str, object], field: str
) -> None:
    body = assert_problem(await api.post("/users", json=sign_up(unique, **overrides)), 400)

    assert field in body["errors"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("form", "kind"),
    [
        ({"grant_type": "password", "password": "x\x00y"}, "invalid-credentials"),
        ({"grant_type": "refresh_token", "refresh_token": "x\x00y"}, "invalid-token"),
    ],
)
async def test_a_nul_in_a_secret_is_refused_not_a_server_error(
    api: httpx.AsyncClient, shopper: Credentials, form: dict[str, str], kind: str
) -> None:
    response = await api.post("/auth/token", data={"username": shopper.email, **form})

    assert_invalid_grant(response, kind)
    assert (await api.post("/auth/revoke", data={"token": "x\x00y"})).status_code == 204
