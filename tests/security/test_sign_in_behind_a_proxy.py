"""Sign-in limits behind `./shop cluster`'s nginx, replayed as raw HTTP.

Behind a reverse proxy every request arrives from the proxy's address (127.0.0.1); the
visitor's address is in the X-Forwarded-For header the proxy appends. The shop believes
that header only from the proxies named in TRUSTED_PROXIES. These tests post to the
browser's sign-in route and the API's token endpoint as nginx would (peer 127.0.0.1,
X-Forwarded-For set), and as an attacker talking to a backend directly would (an
untrusted peer with a forged header).

The lockout: wrong passwords lock an account for the network they came from (a /24 for
IPv4, a /64 for IPv6), so an attacker cannot lock the owner out from everywhere; a
slower account-wide limit stops guessing spread over many networks, but never for a
network the account signed in from before.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from api.app import build_http_app
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials

PROXY = "127.0.0.1"  # nginx, as `./shop cluster` runs it


# The /24s of 100.64.0.0/10 handed out in turn from a random start, never one twice in a
# process. Drawn at random, two could meet (1 in 16,384 a pair); one CI run saw the owner
# locked out as if on the attacker's network.
_networks = itertools.count(uuid.uuid4().int % 16384)


def a_network_address() -> str:
    """An address in a /24 of its own (100.64.0.0/10), so tests never share counters."""
    network = next(_networks) % 16384
    return f"100.{64 + network // 256}.{network % 256}.{uuid.uuid4().int % 254 + 1}"


@pytest.fixture
def behind_nginx(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings `./shop cluster` gives its web processes, with the shipped limits."""
    monkeypatch.setenv("TRUSTED_PROXIES", PROXY)
    monkeypatch.setenv("SIGN_IN_IP_LIMIT", "30/10 minutes")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def shop(behind_nginx: None) -> AsyncIterator[httpx.AsyncClient]:
    """The web process's HTTP side; every connection comes from nginx."""
    transport = httpx.ASGITransport(app=build_http_app(), client=(PROXY, 40000))
    base_url = get_settings().public_base_url
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


async def browser_sign_in(
    client: httpx.AsyncClient, email: str, password: str, *, forwarded_for: str
) -> httpx.Response:
    """The sign-in form's POST, as nginx passes it on."""
    return await client.post(
        "/auth/sign-in",
        data={"email": email, "password": password, "next": "/account"},
        headers={
            "origin": get_settings().public_base_url,
            "x-forwarded-for": forwarded_for,
        },
    )


def signed_in(response: httpx.Response) -> bool:
    return (
        response.status_code == 303
        and response.headers["location"] == "/account"
        and get_settings().session_cookie_name in response.cookies
    )


def refusal(response: httpx.Response) -> str:
    """The error code the form is sent back with ("" when signed in)."""
    assert response.status_code == 303, response.text
    location = httpx.URL(response.headers["location"])
    return location.params.get("error", "")


# --- (a) per-address limits see the visitor, not the proxy --------------------------------


async def test_failed_sign_ins_from_one_visitor_do_not_block_another_behind_the_proxy(
    shop: httpx.AsyncClient, shopper: Credentials, unique: str
) -> None:
    attacker = a_network_address()
    answers = [
        refusal(
            await browser_sign_in(
                shop, f"guess-{unique}-{n}@example.com", "wrong password", forwarded_for=attacker
            )
        )
        for n in range(32)
    ]
    # The attacker's own address runs out of attempts...
    assert answers[:30] == ["invalid_credentials"] * 30
    assert answers[30:] == ["too_many_attempts"] * 2

    # ...while another visitor, through the same nginx, signs in.
    response = await browser_sign_in(
        shop, shopper.email, shopper.password, forwarded_for=a_network_address()
    )
    assert signed_in(response), response.headers.get("location")


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    behind_nginx: None, unique: str
) -> None:
    # Someone who reaches a web process directly, not through nginx, and writes a new
    # X-Forwarded-For on every request to look like many visitors.
    direct = a_network_address()
    transport = httpx.ASGITransport(app=build_http_app(), client=(direct, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url=get_settings().public_base_url
    ) as client:
        answers = [
            refusal(
                await browser_sign_in(
                    client,
                    f"guess-{unique}-{n}@example.com",
                    "wrong password",
                    forwarded_for=a_network_address(),
                )
            )
            for n in range(31)
        ]
    assert answers[-1] == "too_many_attempts"  # all 31 counted against the real peer


async def test_api_token_requests_are_counted_per_visitor_behind_the_proxy(
    shop: httpx.AsyncClient, shopper: Credentials, unique: str
) -> None:
    attacker = a_network_address()
    for n in range(31):
        await shop.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": f"guess-{unique}-{n}@example.com",
                "password": "wrong password",
            },
            headers={"x-forwarded-for": attacker},
        )

    response = await shop.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": shopper.email, "password": shopper.password},
        headers={"x-forwarded-for": a_network_address()},
    )
    assert response.status_code == 200, response.text


# --- (b) targeted lockout -----------------------------------------------------------------


async def test_wrong_passwords_from_one_network_do_not_lock_the_owner_out_of_another(
    shop: httpx.AsyncClient, shopper: Credentials
) -> None:
    attacker = a_network_address()
    answers = [
        refusal(await browser_sign_in(shop, shopper.email, "wrong", forwarded_for=attacker))
        for _ in range(5)
    ]
    assert answers == ["invalid_credentials"] * 4 + ["account_locked"]
    # The attacker's network stays locked for this account, even with the right password
    # (a lock that a right guess lifted would tell the guesser it was right)...
    neighbour = attacker.rsplit(".", 1)[0] + ".250"  # same /24
    assert (
        refusal(
            await browser_sign_in(shop, shopper.email, shopper.password, forwarded_for=neighbour)
        )
        == "account_locked"
    )

    # ...while the owner, at home, signs in.
    owner = await browser_sign_in(
        shop, shopper.email, shopper.password, forwarded_for=a_network_address()
    )
    assert signed_in(owner), owner.headers.get("location")


async def test_the_api_lockout_is_per_network_too(
    shop: httpx.AsyncClient, shopper: Credentials
) -> None:
    attacker = a_network_address()
    grant = {"grant_type": "password", "username": shopper.email}
    for _ in range(5):
        await shop.post(
            "/api/v1/auth/token",
            data={**grant, "password": "wrong"},
            headers={"x-forwarded-for": attacker},
        )

    owner = await shop.post(
        "/api/v1/auth/token",
        data={**grant, "password": shopper.password},
        headers={"x-forwarded-for": a_network_address()},
    )
    assert owner.status_code == 200, owner.text


async def test_guessing_spread_over_many_networks_backs_off_but_not_for_the_owners_network(
    shop: httpx.AsyncClient, shopper: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = a_network_address()
    assert signed_in(
        await browser_sign_in(shop, shopper.email, shopper.password, forwarded_for=home)
    )
    monkeypatch.setenv("SIGN_IN_ACCOUNT_FAILURE_LIMIT", "8/hour")
    get_settings.cache_clear()

    # Four networks, two guesses each: under every per-network lock, over the account's.
    for _ in range(4):
        network = a_network_address()
        for _ in range(2):
            await browser_sign_in(shop, shopper.email, "a guess", forwarded_for=network)

    # Any new network now waits (the guesser's next network too, right password or not)...
    newcomer = await browser_sign_in(
        shop, shopper.email, shopper.password, forwarded_for=a_network_address()
    )
    assert refusal(newcomer) == "account_backed_off"
    # ...but the owner at home signs in.
    owner = await browser_sign_in(shop, shopper.email, shopper.password, forwarded_for=home)
    assert signed_in(owner), owner.headers.get("location")
