"""Test session setup: real PostgreSQL and Redis, a fresh migrated test database.

The environment is set here, before any test module imports backend settings. Without
TEST_DATABASE_URL / TEST_REDIS_URL, the project's private services are started (and
stopped again at the end if this run started them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest

from devstack.cli import create_database_if_missing, migrate
from devstack.services import VAR_DIR, local_postgres, local_redis

TEST_DATABASE = "shop_test"
TEST_REDIS_DB = 15

_started_here: list[object] = []


def _prepare_services() -> tuple[str, str]:
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not database_url:
        postgres = local_postgres()
        if postgres.start():
            _started_here.append(postgres)
        database_url = postgres.url(TEST_DATABASE)
    if not redis_url:
        redis = local_redis()
        if redis.start():
            _started_here.append(redis)
        redis_url = redis.url(TEST_REDIS_DB)
    return database_url, redis_url


def _recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = database_url.rpartition("/")
    admin_url = "postgresql://" + (base + "/postgres").split("://", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    create_database_if_missing(base + "/postgres", name)


def pytest_configure(config: pytest.Config) -> None:
    database_url, redis_url = _prepare_services()
    os.environ.update(
        {
            "ENVIRONMENT": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": os.environ.get("TEST_WEB_PORT", "3100"),
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
        }
    )
    # The test session's own search index and media folder, emptied at the start.
    port = os.environ["PORT"]
    for name, folder in (("SEARCH_INDEX_DIR", "search-index"), ("MEDIA_DIR", "media")):
        path = VAR_DIR / f"test-{port}" / folder
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        os.environ[name] = str(path)
    os.environ.pop("PUBLIC_BASE_URL", None)
    os.environ.pop("SMTP_URL", None)
    _recreate_database(database_url)
    migrate(database_url)

    import redis

    redis.Redis.from_url(redis_url).flushdb()


def pytest_unconfigure(config: pytest.Config) -> None:
    for service in reversed(_started_here):
        service.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
async def _close_pools() -> AsyncIterator[None]:
    yield
    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis

    await dispose_engine()
    await close_redis()


@pytest.fixture
def unique() -> str:
    """A short unique token for names, SKUs and e-mails, so tests can share one database."""
    import uuid

    return uuid.uuid4().hex[:10]


pytest_plugins = [
    "tests.fixtures.accounts",  # before catalog, which imports it
    "tests.fixtures.catalog",
    "tests.fixtures.mail",
    "tests.fixtures.checkout",
    "tests.fixtures.stripe",
    "tests.fixtures.live_shop",
]

# Folder names under tests/, fastest first. `security` replays attacks (hostile HTTP and
# websocket clients, some against the running shop) and runs before the browser tests.
TIERS = ("unit", "integration", "security", "e2e")


def _tier(item: pytest.Item) -> str:
    return next((part for part in item.path.parts if part in TIERS), "unit")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test is marked with its tier by its folder, and tiers run fastest first.

    Browser tests go last for a second reason: Playwright's sync API keeps an event loop
    running in the main thread once it starts, and async tests cannot run after that.
    """
    for item in items:
        item.add_marker(getattr(pytest.mark, _tier(item)))
    items.sort(key=lambda item: TIERS.index(_tier(item)))
