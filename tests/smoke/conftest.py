"""The smoke suite: a few safe browser checks against a running shop, black-box.

Point it at any shop: `./shop smoke https://staging.example.com` (or `--smoke-url URL`, or
SMOKE_BASE_URL). The tests only use the shop through a browser: they never read or write
its database. Staff sign-in is checked only when SMOKE_STAFF_EMAIL and
SMOKE_STAFF_PASSWORD are given. A run leaves a guest cart behind (it expires after
CART_TTL_DAYS); on a shop in test mode it also places one order paid with the test card,
marked as a test payment.

Run by the test command without a URL, the suite checks the test session's running shop
(tests/fixtures/live_shop.py) after the browser tests, with a product and a staff account
of its own arranged first, as a deployed shop has a catalog and staff.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

SMOKE_EMAIL = "smoke-test@example.com"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--smoke-url",
        default=None,
        help="address of the shop the smoke suite checks (default: SMOKE_BASE_URL, else "
        "the test session's running shop)",
    )


@dataclass(frozen=True)
class SmokeTarget:
    base_url: str
    staff_email: str | None
    staff_password: str | None
    # The e-mail the checkout is filled in with (SMOKE_EMAIL: an address QA reads).
    shopper_email: str
    # The test session's own shop takes test payments: there the paying step must run.
    known_test_mode: bool = False


@pytest.fixture(scope="session")
def smoke_target(request: pytest.FixtureRequest) -> SmokeTarget:
    url = request.config.getoption("--smoke-url", default=None) or os.environ.get("SMOKE_BASE_URL")
    shopper_email = os.environ.get("SMOKE_EMAIL", SMOKE_EMAIL)
    if url:
        return SmokeTarget(
            base_url=url.rstrip("/"),
            staff_email=os.environ.get("SMOKE_STAFF_EMAIL") or None,
            staff_password=os.environ.get("SMOKE_STAFF_PASSWORD") or None,
            shopper_email=shopper_email,
        )
    try:
        live_url: str = request.getfixturevalue("live_shop")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(
            "the smoke suite needs the address of a running shop: "
            "./shop smoke URL (or --smoke-url URL, or SMOKE_BASE_URL)"
        ) from None
    staff_email, staff_password = _arrange_test_shop()
    return SmokeTarget(
        base_url=live_url.rstrip("/"),
        staff_email=staff_email,
        staff_password=staff_password,
        shopper_email=shopper_email,
        known_test_mode=True,
    )


def _arrange_test_shop() -> tuple[str, str]:
    """What any deployed shop has: a product in stock, searchable, and a staff account.
    Made through the backend services, as the browser tests arrange their data; the smoke
    tests themselves see the shop only through the browser."""
    import uuid

    from backend.accounts.permissions import DefaultGroup
    from tests.e2e.data import PASSWORD, create_account, create_product, wait_until_searchable

    unique = uuid.uuid4().hex[:8]
    create_product(f"smoke{unique}", name=f"Smoke Kettle {unique}", price="24.00", stock=500)
    wait_until_searchable(f"kettle {unique}")
    return create_account(
        f"smoke{unique}", roles=frozenset({DefaultGroup.ADMINISTRATORS})
    ), PASSWORD


@pytest.fixture(scope="session")
def base_url(smoke_target: SmokeTarget) -> str:
    """Where the smoke tests' relative URLs go (overrides the running shop's)."""
    return smoke_target.base_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """Debian's Chromium with the flags this machine needs, when it is there."""
    from tests.fixtures.chromium import CHROMIUM_ARGS, system_chromium

    executable = system_chromium()
    args: dict[str, object] = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if executable:
        args["executable_path"] = executable
    return args
