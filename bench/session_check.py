"""What the access guard's session check costs per websocket event, on this machine.

    .venv/bin/python bench/session_check.py [--calls 2000] [--redis-db 11]

Needs the private PostgreSQL and Redis running (`./shop services`). Uses its own database
(shop_bench_sessions, fresh each run) and one signed-in account.
Every event of a signed-in tab re-checks its session (ui/access.py). Prints
p50/p99 of, one call at a time:
- `session_unchanged`: what every event of a signed-in tab pays now (one Redis GET);
- `resolve_session`: the database lookup every event would pay without the epoch (and
  what events of signed-in pages paid before: public ones skipped it for 15 s);
- `verify_session` with the user known: what an event pays after a change (a revocation,
  a role or name change) or every SESSION_RECHECK_SECONDS: the epoch, then the database.
Guests' events pay nothing: without a session there is nothing to revoke.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.cli import create_database_if_missing, migrate
from devstack.services import local_postgres, local_redis

DATABASE = "shop_bench_sessions"
PASSWORD = "correct horse battery staple"

# The private services, already running (`./shop services`).
postgres, redis_server = local_postgres(), local_redis()
DATABASE_URL = postgres.url(DATABASE)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fresh_database() -> None:
    import psycopg

    admin = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), DATABASE)
    migrate(DATABASE_URL)


async def measure(name: str, call: Callable[[], Awaitable[object]], calls: int) -> None:
    for _ in range(min(200, calls)):  # warm-up: pools, prepared statements
        await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{name:<44} p50 {statistics.median(samples):6.3f} ms   "
        f"p99 {percentile(samples, 0.99):6.3f} ms   ({calls} calls)"
    )


async def main(calls: int) -> None:
    from backend.accounts import authentication, browser_sessions, registration
    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis

    fresh_database()
    await registration.ensure_roles()
    await registration.create_user(
        username="bench_sessions",
        email="bench-sessions@example.com",
        password=PASSWORD,
        status="active",
        email_verified=True,
    )
    signed_in = await authentication.sign_in(email="bench-sessions@example.com", password=PASSWORD)
    token, user_id = signed_in.session_token, signed_in.viewer.user_id
    verified = await browser_sessions.verify_session(token)

    async def guard_check() -> None:
        """As the guard does it: the database only when the epoch check says so (here:
        every SESSION_RECHECK_SECONDS, the backstop)."""
        nonlocal verified
        if verified is None or not await browser_sessions.session_unchanged(verified):
            verified = await browser_sessions.verify_session(token, user_id=user_id)

    await measure("every event now: session_unchanged (Redis)", guard_check, calls)
    await measure(
        "a database lookup: resolve_session",
        lambda: browser_sessions.resolve_session(token),
        calls,
    )
    await measure(
        "after a change: verify_session (user known)",
        lambda: browser_sessions.verify_session(token, user_id=user_id),
        calls,
    )
    await dispose_engine()
    await close_redis()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--redis-db", type=int, default=11)
    arguments = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": redis_server.url(arguments.redis_db),
            "ENVIRONMENT": "test",
        }
    )
    asyncio.run(main(arguments.calls))
