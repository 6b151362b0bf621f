"""Test session setup: real PostgreSQL and Redis, a fresh migrated test database.

The environment is set here, before any test module imports backend settings. Without
TEST_DATABASE_URL / TEST_REDIS_URL, the project's private services are started (and
stopped again at the end if this run started them).

Run in parallel (`-n N`, pytest-xdist), each worker gets a database and a Redis database
of its own: the main process migrates the test database once, and worker gwK clones it
(`CREATE DATABASE … TEMPLATE`) as `<test database>_gwK`, uses Redis database
(base − K) and runs its shop under test on port TEST_WEB_PORT + 2K. Tests run in random
order within their tier (pytest-randomly); the seed is printed at the start and the end of
the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pytest

from devstack.cli import create_database_if_missing, migrate
from devstack.console import say
from devstack.errors import SetupError
from devstack.readiness import wait_for_postgres, wait_for_redis
from devstack.services import VAR_DIR, local_postgres, local_redis

if TYPE_CHECKING:
    import redis

TEST_DATABASE = "shop_test"
TEST_REDIS_DB = 15

_started_here: list[object] = []


def _prepare_services(report: Callable[[str], None]) -> tuple[str, str]:
    """The servers' URLs, once both are ready: a server that was just (re)started may
    still be loading its data or recovering, and the session waits for it as `./shop run`
    does (devstack/readiness.py)."""
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if database_url:
        wait_for_postgres(
            database_url,
            what="PostgreSQL at TEST_DATABASE_URL",
            hint="Fix TEST_DATABASE_URL, or unset it to use the private PostgreSQL",
            report=report,
        )
    else:
        postgres = local_postgres()
        if postgres.start(report=report):
            _started_here.append(postgres)
        database_url = postgres.url(TEST_DATABASE)
    if redis_url:
        wait_for_redis(
            redis_url,
            what="Redis at TEST_REDIS_URL",
            hint="Fix TEST_REDIS_URL, or unset it to use the private Redis",
            report=report,
        )
    else:
        redis = local_redis()
        if redis.start(report=report):
            _started_here.append(redis)
        redis_url = redis.url(TEST_REDIS_DB)
    return database_url, redis_url


def _admin_url(database_url: str) -> str:
    base, _, _name = database_url.rpartition("/")
    return "postgresql://" + (base + "/postgres").split("://", 1)[1]


def _recreate_database(database_url: str, *, template: str | None = None) -> None:
    """Drop the database and create it again: empty, or as a copy of `template`."""
    import psycopg
    from psycopg import sql

    name = database_url.rpartition("/")[2]
    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if template is not None:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    if template is None:
        create_database_if_missing(database_url.rpartition("/")[0] + "/postgres", name)


def _xdist_worker() -> str | None:
    """`gw0`, `gw1`, … in a pytest-xdist worker; None in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _worker_redis_url(redis_url: str, worker: str) -> str:
    """Worker gwK uses Redis database (base − K): Redis has databases 0–15 only, and the
    default base, 15, leaves room below it. Never database 0 for a second worker: that is
    where `./shop run` keeps the shop's carts and sessions, which the tests empty."""
    parts = urlsplit(redis_url)
    base = int(parts.path.strip("/") or 0)
    number = int(worker.removeprefix("gw"))
    if number and base - number < 1:
        msg = f"worker {worker} would use Redis database {base - number}: use fewer workers"
        raise pytest.UsageError(msg)
    return urlunsplit(parts._replace(path=f"/{base - number}"))


def _worker_web_port(base: int, worker: str | None) -> int:
    """Worker gwK runs its shop under test on port (base + 2K): each worker starts one of
    its own (tests/fixtures/live_shop.py), and the Stripe tests a second on the port after
    it (tests/e2e/stripe_shop.py)."""
    return base + 2 * int(worker.removeprefix("gw")) if worker else base


def pytest_configure(config: pytest.Config) -> None:
    def report(message: str) -> None:
        # Shown while the session waits, not captured with the first test's output.
        capture = config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            say(message)

    try:
        database_url, redis_url = _prepare_services(report)
    except SetupError as error:  # one line saying why, not a traceback
        raise pytest.UsageError(str(error)) from None
    worker = _xdist_worker()
    if worker:
        template = database_url.rpartition("/")[2]
        database_url = f"{database_url}_{worker}"
        redis_url = _worker_redis_url(redis_url, worker)
    os.environ.update(
        {
            "ENVIRONMENT": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": str(_worker_web_port(int(os.environ.get("TEST_WEB_PORT", "3100")), worker)),
            "SHOP_NAME": "Kestrel Goods",
            # Every browser test signs in from 127.0.0.1; the per-network limit has its
            # own test with a small limit.
            "SIGN_IN_IP_LIMIT": "10000/10 minutes",
            # Likewise for the API's per-address limits; their own tests set small ones.
            "API_RATE_LIMIT_READ": "100000/minute",
            "API_RATE_LIMIT_WRITE": "100000/minute",
            "API_RATE_LIMIT_AUTH": "100000/minute",
            # Every test places its orders from 127.0.0.1 (in-process API clients too); the
            # per-address checkout limit has its own tests with a small limit.
            "CHECKOUT_ORDERS_PER_NETWORK_ADDRESS": "100000/hour",
            # argon2id at its smallest cost: the suite hashes and checks thousands of
            # passwords (the web app and worker it starts inherit this); production's
            # parameters have their own test (tests/unit/test_passwords.py).
            "FAST_PASSWORD_HASHING_IN_TESTS": "true",
            # The 408 test waits this long for the running shop to give up on a body
            # (default 20 s); still far longer than any pause in a local upload.
            "REQUEST_BODY_TIMEOUT_SECONDS": "8",
        }
    )
    # The test session's own search index and media folder, emptied at the start.
    session_dir = VAR_DIR / "-".join(filter(None, ("test", os.environ["PORT"], worker)))
    for name, folder in (("SEARCH_INDEX_DIR", "search-index"), ("MEDIA_DIR", "media")):
        path = session_dir / folder
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        os.environ[name] = str(path)
    os.environ.pop("PUBLIC_BASE_URL", None)
    os.environ.pop("SMTP_URL", None)
    if worker:
        # The main process migrated the database before starting the workers: a copy is
        # much faster than running every migration again.
        _recreate_database(database_url, template=template)
    else:
        _recreate_database(database_url)
        migrate(database_url)
    _test_redis().flushdb()


def pytest_unconfigure(config: pytest.Config) -> None:
    for service in reversed(_started_here):
        service.stop()  # type: ignore[attr-defined]


@cache
def _test_redis() -> redis.Redis:
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


@pytest.fixture(scope="session", autouse=True)
async def _close_pools() -> AsyncIterator[None]:
    yield
    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis

    await dispose_engine()
    await close_redis()


@pytest.fixture(scope="session", autouse=True)
def patient_browser_assertions() -> None:
    """Browser assertions wait up to 10 s (Playwright's default: 5 s). Two workers share two
    cores with their shops and browsers: a page that hydrates in 2 s alone took over 5 s
    then. What each assertion checks is unchanged; only how long it may wait for it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def base_url(live_shop: str) -> str:
    """Where Playwright's relative URLs go: the running shop. Defined in a conftest, as
    pytest-playwright registers its own `base_url` after the `pytest_plugins` modules,
    and the later plugin wins (pages then opened "/sign-up" with no host)."""
    return live_shop


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """Debian's Chromium with the flags this machine needs (overrides pytest-playwright's
    own fixture, as `base_url` above does)."""
    from tests.fixtures.chromium import CHROMIUM_ARGS, system_chromium

    executable = system_chromium()
    args: dict[str, object] = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if executable:
        args["executable_path"] = executable
    return args


# Tiers whose tests share the one running shop (tests/fixtures/live_shop.py): its sessions,
# queues and caches live in the test Redis database.
LIVE_SHOP_TIERS = ("security", "e2e", "smoke")


@pytest.fixture(autouse=True)
def _empty_redis(request: pytest.FixtureRequest) -> None:
    """Each unit and integration test starts with an empty Redis database: carts, funnel
    figures, queued jobs and cached pages of the tests before it are no part of it, in
    whatever order and at whatever speed the suite runs. (So module-scoped fixtures keep
    nothing in Redis.)"""
    if _tier(request.node) not in LIVE_SHOP_TIERS:
        _test_redis().flushdb()


@pytest.fixture
def unique() -> str:
    """A short unique token for names, SKUs and e-mails, so tests can share one database."""
    import uuid

    return uuid.uuid4().hex[:10]


pytest_plugins = [
    "tests.fixtures.accounts",  # before catalog, which imports it
    "tests.fixtures.catalog",
    "tests.fixtures.api_client",
    "tests.fixtures.generated_client",
    "tests.fixtures.stock_locations",
    "tests.fixtures.mail",
    "tests.fixtures.checkout",
    "tests.fixtures.shipping_and_tax",
    "tests.fixtures.stripe",
    "tests.fixtures.live_shop",
    "tests.worker_shares",  # with -n: a test file's consecutive tests go to one worker
]

# Folder names under tests/, fastest first. `security` replays attacks (hostile HTTP and
# websocket clients, some against the running shop) and runs before the browser tests;
# `smoke` (tests/smoke, black-box, also `./shop smoke URL`) checks that shop last.
TIERS = ("unit", "integration", "security", "e2e", "smoke")


def _tier(item: pytest.Item) -> str:
    return next((part for part in item.path.parts if part in TIERS), "unit")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test is marked with its tier by its folder, and tiers run fastest first.

    Browser tests go last for a second reason: Playwright's sync API keeps an event loop
    running in the main thread once it starts, and async tests cannot run after that.
    Within a tier, tests that need the running shop come after those that do not: once it
    runs, its worker takes every queued event, and a test that runs a worker of its own
    (with its own SMTP server) must not race it.
    pytest-randomly shuffles the items before this hook runs (its hook wraps the others),
    and the sort is stable: the tiers keep their order, shuffled within each.
    """
    for item in items:
        item.add_marker(getattr(pytest.mark, _tier(item)))
    items.sort(
        key=lambda item: (
            TIERS.index(_tier(item)),
            "live_shop" in getattr(item, "fixturenames", ()),
            # The scan of the running shop's logs comes after everything that shop logged.
            item.get_closest_marker("scans_live_shop_logs") is not None,
        )
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The random order's seed again at the end, where a failure is read."""
    if config.pluginmanager.hasplugin("randomly") and config.getoption("randomly_reorganize"):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(
            f"Tests ran in random order within each tier; the same order again: "
            f"--randomly-seed={seed}"
        )
