"""Schemathesis against the live OpenAPI document of /api/v1: every operation the app has
when the test runs, called anonymously, as a shopper and as an administrator, with data
generated from the document. No call may end in a server error, and every response must
match what the document promises (status code, content type, headers, body).

The API runs as a real server process (granian, one worker) on the test database: the
test process keeps its own event loop and database pool, the server has its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from api.v1.app import build_api_v1
from backend.accounts import registration, tokens
from backend.accounts.permissions import DefaultGroup
from backend.core.db import session_scope
from devstack.services import PROJECT_ROOT, VAR_DIR
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.shipping_and_tax import shipping_and_tax_kept

pytestmark = pytest.mark.slow

# Bounded so the whole run takes a minute or two on a small machine; raise it locally to
# dig deeper (SCHEMA_TEST_EXAMPLES=500).
MAX_EXAMPLES = int(os.environ.get("SCHEMA_TEST_EXAMPLES", "25"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Generated traffic comes from one address in bursts; the limits have their own tests.
GENEROUS_LIMITS = {
    "SIGN_IN_IP_LIMIT": "1000000/10 minutes",
    "API_RATE_LIMIT_READ": "1000000/minute",
    "API_RATE_LIMIT_WRITE": "1000000/minute",
    "API_RATE_LIMIT_AUTH": "1000000/minute",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the API server exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the API server did not answer {url}:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def api_server() -> Iterator[str]:
    """The HTTP app (API mounted at /api/v1) under granian, on a free port."""
    port = _free_port()
    log = VAR_DIR / f"test-{os.environ['PORT']}" / "api-schema-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)  # PORT is per xdist worker
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            "api.app:build_http_app",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **GENEROUS_LIMITS, "PORT": str(port)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}/api/v1"
    try:
        _wait_until_serving(f"{base_url}/health", server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        # Server errors are logged with their traceback: show them with the failure.
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if errors:
            print(f"API server log with tracebacks: {log}")  # noqa: T201


@pytest.fixture(scope="module", autouse=True)
async def forget_generated_webhook_endpoints() -> AsyncIterator[None]:
    """The admin run registers endpoints at made-up URLs: remove them afterwards, so later
    tests' workers do not try to deliver to them."""
    yield
    async with session_scope() as session:
        await session.exec(text("DELETE FROM webhook_endpoints"))  # type: ignore[call-overload]


@pytest.fixture(scope="module", autouse=True)
async def keep_shipping_and_tax() -> AsyncIterator[None]:
    """The admin run adds zones, methods and tax rates (and may turn tax-inclusive prices
    on): the seeded configuration comes back afterwards, for later tests' checkouts."""
    async with shipping_and_tax_kept():
        yield


@pytest.fixture(scope="module")
async def bearer_headers() -> dict[str, dict[str, str]]:
    """Authorization headers of a fresh shopper and a fresh administrator."""
    await registration.ensure_roles()
    headers: dict[str, dict[str, str]] = {}
    for caller, groups in (
        ("shopper", frozenset()),
        ("admin", frozenset({DefaultGroup.ADMINISTRATORS})),
    ):
        username = f"schema_{caller}_{os.urandom(5).hex()}"
        user_id = await registration.create_user(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            first_name="Schema",
            last_name=caller.title(),
            status="active",
            email_verified=True,
            groups=groups,
        )
        access_token = (await tokens.issue_tokens(user_id)).access_token
        headers[caller] = {"Authorization": f"Bearer {access_token}"}
    return headers


# The document the app serves at /api/v1/openapi.json, read when the tests are collected so
# each operation is a test of its own (whatever endpoints the app has by then).
schema = schemathesis.openapi.from_dict(build_api_v1().openapi())

BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@schema.parametrize()
@BOUNDED
def test_anonymous_calls_get_no_server_error_and_match_the_document(
    case: schemathesis.Case, api_server: str
) -> None:
    case.call_and_validate(base_url=api_server, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_shopper_calls_get_no_server_error_and_match_the_document(
    case: schemathesis.Case, api_server: str, bearer_headers: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(base_url=api_server, headers=bearer_headers["shopper"], checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_admin_calls_get_no_server_error_and_match_the_document(
    case: schemathesis.Case, api_server: str, bearer_headers: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(base_url=api_server, headers=bearer_headers["admin"], checks=CHECKS)
