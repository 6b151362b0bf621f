"""`GET /api/v1/products?limit=20` on a large catalog under load, against a bare endpoint.

    .venv/bin/python bench/api_products.py [--size 100000] [--seconds 5] [--rounds 3]
        [--clients 32] [--workers 2] [--driver wrk|aiohttp] [--keep] [--sale]

Uses its own database (shop_bench_api, Redis db 8), seeded with the demo generator (no
pictures). Serves, side by side and each under granian with `--workers` processes (2, as
`./shop run` does):

- the shop's HTTP app (the API mounted at /api/v1) as real traffic sees it: the rendered
  listing comes from the Redis cache, keyed by the catalog version (the steady state);
- the same app with the catalog caches switched off (every request runs the SQL);
- a bare Starlette + psycopg endpoint running the very statements the listing service
  runs for that page (its page query and its count), compiled from the service's own
  query builders, and answering the same JSON shape: what the uncached API is compared
  with;
- a bare Starlette + Redis endpoint answering the cached API's very bytes, read from Redis
  with one GET (a cache hit of the API is one script call): what the cached API is
  compared with (issue #24: the cached API against SQL was apples to oranges).

Each is driven in turn by `--clients` concurrent keep-alive connections for `--seconds`,
`--rounds` times, after a warm-up, by `wrk` when installed (`apt-get install wrk`: a C
load generator that leaves the cores to the server), else by aiohttp. Prints requests/s
over all rounds, the median round's p50 and the worst round's p99 as the clients see
them, the Redis server's CPU time per request, and each API's throughput as a share of
its bare endpoint's. The targets (issues #8 and #24): the API ≥ 70 % of its bare
endpoint, p50 ≤ 10 ms, p99 ≤ 50 ms. `--keep` reuses the seeded database; `--sale` puts
two automatic promotions live (the bare SQL endpoint still answers the catalog's prices).

On a small machine the load generator, the server and PostgreSQL share the cores; the
figures are for comparing, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "shop_bench_api"
REDIS_DB = 8  # apart from the test runs (15, and 11-14 for parallel runs)
LISTING_PATH = "/api/v1/products?limit=20"
PAGE_SIZE = 20
TENTH = Decimal("0.1")


# --- the servers (granian imports this module and calls one of these factories) --------


def api_app() -> Any:
    from api.app import build_http_app, freeze_startup_objects

    app = build_http_app()
    freeze_startup_objects()  # as the shop's web process does once it is built
    return app


def api_app_without_cache() -> Any:
    from backend.catalog import cache

    async def load_every_time(key_parts: Any, load: Any, *, encode: Any, decode: Any) -> Any:
        return await load()

    async def render_every_time(key_parts: Any, render: Any) -> Any:
        return await render()

    cache.cached = load_every_time  # type: ignore[assignment]
    cache.cached_text = render_every_time  # type: ignore[assignment]
    return api_app()


def bare_app() -> Any:
    """Starlette + a psycopg pool, nothing else: the page query and the count, as JSON."""
    from psycopg_pool import AsyncConnectionPool
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    page_sql, count_sql = os.environ["BENCH_PAGE_SQL"], os.environ["BENCH_COUNT_SQL"]
    # The size of the API's SQLAlchemy pool (backend/core/db.py: pool_size=10).
    pool = AsyncConnectionPool(os.environ["BENCH_DSN"], min_size=10, max_size=10, open=False)

    async def products(request: Request) -> Response:
        async with pool.connection() as connection:
            cursor = await connection.execute(page_sql)
            names = [column.name for column in cursor.description or ()]
            rows = [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]
            total = (await (await connection.execute(count_sql)).fetchone() or (0,))[0]
        items = [
            {
                "id": str(row["id"]),
                "slug": row["slug"],
                "name": row["name"],
                "sku": row["sku"],
                "brand": row["brand"],
                "price": f"{row['price']:.2f}",
                "currency": row["currency"],
                "stock_quantity": row["stock_quantity"],
                "category": row["category_name"],
                "image_url": row["image_url"],
                "rating_average": (
                    str(
                        (Decimal(row["rating_sum"]) / row["rating_count"]).quantize(
                            TENTH, ROUND_HALF_UP
                        )
                    )
                    if row["rating_count"]
                    else None
                ),
                "rating_count": row["rating_count"],
            }
            for row in rows
        ]
        pages = max(1, -(-total // PAGE_SIZE))
        body = {
            "items": items,
            "pagination": {
                "page": 1,
                "limit": PAGE_SIZE,
                "total": total,
                "pages": pages,
                "has_next": pages > 1,
                "has_previous": False,
            },
        }
        return Response(json.dumps(body).encode(), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    return Starlette(routes=[Route("/api/v1/products", products)], lifespan=lifespan)


BARE_CACHE_KEY = "bench:api-products"


def bare_cached_app() -> Any:
    """Starlette + a Redis client, nothing else: the cached API's answer, as bytes kept in
    Redis under `BARE_CACHE_KEY` (the bench copies them there), one GET per request."""
    from redis.asyncio import Redis
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    redis = Redis.from_url(os.environ["REDIS_URL"])

    async def products(request: Request) -> Response:
        body = await redis.get(BARE_CACHE_KEY)
        return Response(body or b"", media_type="application/json")

    return Starlette(routes=[Route("/api/v1/products", products)])


# --- the bench ------------------------------------------------------------------------


def put_promotions_live(*, sale: bool) -> None:
    """No promotion (one kept from an earlier `--sale` run is deleted), or with `sale`
    two that add up, as a shop in a sale has: 10 % off everything and 5 % more off one
    category. Saved through the admin's service, by a bench administrator."""
    import uuid

    from sqlalchemy import delete

    from backend.accounts import registration
    from backend.accounts.permissions import DEFAULT_GROUPS, DefaultGroup
    from backend.accounts.schemas import Viewer
    from backend.catalog.category_queries import get_category_tree
    from backend.core.db import dispose_engine, session_scope
    from backend.core.redis import close_redis
    from backend.merchandising.models import Promotion
    from backend.merchandising.promotion_services import save_promotion

    async def put() -> None:
        async with session_scope() as session:
            await session.exec(delete(Promotion))  # type: ignore[call-overload]
        if sale:
            username = f"bench_{uuid.uuid4().hex[:10]}"
            await registration.ensure_roles()
            group = DefaultGroup.ADMINISTRATORS
            actor = Viewer(
                user_id=await registration.create_user(
                    username=username,
                    email=f"{username}@example.com",
                    password=uuid.uuid4().hex,
                    status="active",
                    email_verified=True,
                    groups=frozenset({group}),
                ),
                username=username,
                email=f"{username}@example.com",
                display_name="Bench",
                permissions=DEFAULT_GROUPS[group].permissions,
            )
            category = (await get_category_tree()).children(None)[0].id
            for data in (
                {"title": "Bench sale", "value": "10", "target": "all"},
                {"title": "Bench extra", "value": "5", "target": "category"}
                | {"category_id": str(category)},
            ):
                await save_promotion(None, data | {"kind": "percent", "stacks": True}, actor=actor)
            print("two promotions live: 10 % off everything, 5 % more off one category")
        await dispose_engine()
        await close_redis()

    asyncio.run(put())


def listing_statements() -> tuple[str, str]:
    """The SQL `listing_queries.list_products` runs for `?limit=20` (page 1, newest first): the
    page (`_load_listing_page`) and the count (`_load_listing_totals`, no facets)."""
    from sqlalchemy import func, select
    from sqlalchemy.dialects import postgresql
    from sqlmodel import col

    from backend.catalog import listing_queries, queries
    from backend.catalog.listing import parse_listing_query
    from backend.catalog.models import Product

    query = parse_listing_query({"limit": str(PAGE_SIZE)}, strict=True)
    # No category, no collection, no sale running: the plain catalog's first page.
    page_ids = listing_queries._page_ids(query, None, None, None).subquery()
    page = (
        queries.summary_select()
        .join(page_ids, col(page_ids.c.id) == col(Product.id))
        .order_by(*listing_queries._ordering(query))
    )
    count = select(func.count(), func.min(Product.price), func.max(Product.price)).where(
        *listing_queries._filters(query, None)
    )
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    return tuple(  # type: ignore[return-value]
        str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for statement in (page, count)
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    factory: str,
    port: int,
    env: dict[str, str],
    workers: int,
    *,
    module: str = "bench.api_products",
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *("--no-ws", "--log-level", "warning", f"{module}:{factory}"),
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


async def wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> None:
    import aiohttp

    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"the server for {url} exited")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


@dataclass(frozen=True)
class Figures:
    """One round against one server, as the clients saw it."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @staticmethod
    def combine(rounds: list[Figures]) -> Figures:
        """Throughput over all rounds; the median round's p50 and the worst round's p99."""
        p50s = sorted(figures.p50_ms for figures in rounds)
        return Figures(
            requests=sum(figures.requests for figures in rounds),
            seconds=sum(figures.seconds for figures in rounds),
            p50_ms=p50s[len(p50s) // 2],
            p99_ms=max(figures.p99_ms for figures in rounds),
            failures=sum(figures.failures for figures in rounds),
        )


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drive_with_aiohttp(url: str, *, clients: int, seconds: float) -> Figures:
    """`clients` workers, each on its own keep-alive connection, back to back. The load
    generator is Python too, so it takes a share of the cores from the server."""
    import aiohttp

    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_at = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal failures
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                        continue
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return Figures(
        len(latencies), elapsed, _percentile(ordered, 0.5), _percentile(ordered, 0.99), failures
    )


_WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_latency_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _WRK_UNITS_MS[unit]


async def drive_with_wrk(url: str, *, clients: int, seconds: float) -> Figures:
    """The same load from `wrk` (C, one thread): it needs far less CPU than a Python load
    generator, which leaves more of the machine to the server being measured."""
    process = await asyncio.create_subprocess_exec(
        *("wrk", "--threads", "1", "--connections", str(clients)),
        *("--duration", f"{max(1, round(seconds))}s", "--latency", url),
        stdout=asyncio.subprocess.PIPE,
    )
    output = (await process.communicate())[0].decode()
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    requests = re.search(r"(\d+) requests in ([\d.]+)(s|m)", output)
    if process.returncode or requests is None or set(percentiles) != {"50", "99"}:
        raise SystemExit(f"wrk failed:\n{output}")
    elapsed = float(requests[2]) * (60 if requests[3] == "m" else 1)
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figures(
        int(requests[1]),
        elapsed,
        _wrk_latency_ms(percentiles["50"]),
        _wrk_latency_ms(percentiles["99"]),
        int(failures[1]) if failures else 0,
    )


async def first_ids(url: str) -> list[str]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return [item["id"] for item in (await response.json())["items"]]


def prepare_database(database_url: str, redis_url: str, size: int, keep: bool) -> None:
    import psycopg
    from redis import Redis

    from devstack.cli import create_database_if_missing, migrate
    from devstack.services import local_postgres

    postgres = local_postgres()
    admin_url = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    plain_url = database_url.replace("+psycopg", "")
    if keep:
        with psycopg.connect(admin_url) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
        if exists:
            migrate(database_url)  # a database kept from an older schema catches up
            with psycopg.connect(plain_url) as connection:
                row = connection.execute("SELECT count(*) FROM products").fetchone()
            print(f"reusing {DATABASE}: {row[0] if row else 0} products")
            Redis.from_url(redis_url).flushdb()
            return
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), DATABASE)
    migrate(database_url)
    Redis.from_url(redis_url).flushdb()

    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis
    from backend.demo.seed import seed_demo_data

    async def seed() -> None:
        started = time.perf_counter()
        seeded = await seed_demo_data(size=size, images=False)
        print(f"seeded {seeded.products_created} products in {time.perf_counter() - started:.0f} s")
        await dispose_engine()
        await close_redis()  # its connections belong to this event loop

    asyncio.run(seed())
    with psycopg.connect(plain_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE products")


async def measure_all(  # noqa: PLR0917 (the bench's knobs, passed straight through)
    env: dict[str, str], clients: int, seconds: float, rounds: int, workers: int, driver: str
) -> None:
    """All three servers run side by side (an idle one costs nothing) and are measured in
    turns, `rounds` times, so a change in the machine's background load hits each alike."""
    servers = {
        "API, cached (steady state)": "api_app",
        "bare Starlette + cached bytes": "bare_cached_app",
        "API, catalog cache off": "api_app_without_cache",
        "bare Starlette + psycopg": "bare_app",
    }
    urls: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    samples: dict[str, list[Figures]] = {label: [] for label in servers}
    drive = drive_with_wrk if driver == "wrk" else drive_with_aiohttp
    print(
        f"GET {LISTING_PATH}: {clients} concurrent clients ({driver}), {rounds} × {seconds:.0f} s"
        f" each, granian with {workers} worker(s) per server"
    )
    try:
        for label, factory in servers.items():
            port = free_port()
            urls[label] = f"http://127.0.0.1:{port}{LISTING_PATH}"
            processes.append(start_server(factory, port, env, workers))
            await wait_until_serving(urls[label], processes[-1])
        await copy_cached_answer(urls["API, cached (steady state)"], env["REDIS_URL"])
        pages = {tuple(await first_ids(url)) for url in urls.values()}
        if len(pages) != 1:
            print("  WARNING: the servers answered different pages")
        for url in urls.values():
            await drive(url, clients=clients, seconds=2)  # warm-up: pools, caches
        redis_server = redis_process(env["REDIS_URL"])
        redis_seconds: dict[str, float] = dict.fromkeys(servers, 0.0)
        for _ in range(rounds):
            for label, url in urls.items():
                before = cpu_seconds(redis_server)
                samples[label].append(await drive(url, clients=clients, seconds=seconds))
                redis_seconds[label] += cpu_seconds(redis_server) - before
    finally:
        for process in processes:
            stop_server(process)
    results = {label: Figures.combine(rounds) for label, rounds in samples.items()}
    for label, load in results.items():
        redis_per_request = redis_seconds[label] * 1e6 / max(load.requests, 1)
        print(
            f"  {label:<30} {load.per_second:7.0f} req/s   p50 {load.p50_ms:7.2f} ms"
            f"   p99 {load.p99_ms:7.2f} ms   non-200: {load.failures}"
            f"   Redis CPU {redis_per_request:5.1f} µs/request"
        )
    for label, bare_label in (
        ("API, cached (steady state)", "bare Starlette + cached bytes"),
        ("API, catalog cache off", "bare Starlette + psycopg"),
    ):
        load, bare = results[label], results[bare_label].per_second
        verdict = (
            "meets"
            if load.per_second >= 0.7 * bare and load.p50_ms <= 10 and load.p99_ms <= 50
            else "misses"
        )
        print(
            f"  {label}: {load.per_second / bare:.0%} of {bare_label}'s throughput"
            f" ({verdict} the target: ≥ 70 %, p50 ≤ 10 ms, p99 ≤ 50 ms)"
        )


def redis_process(redis_url: str) -> psutil.Process | None:
    """The Redis server the servers use (on this machine), to read its CPU time."""
    port = int(redis_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    for connection in psutil.net_connections("tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
            return psutil.Process(connection.pid) if connection.pid else None
    return None


def cpu_seconds(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return times.user + times.system


async def copy_cached_answer(api_url: str, redis_url: str) -> None:
    """The cached API's answer, byte for byte, where the bare cached endpoint reads it."""
    import aiohttp
    from redis.asyncio import Redis

    async with aiohttp.ClientSession() as session, session.get(api_url) as response:
        body = await response.read()
    redis = Redis.from_url(redis_url)
    try:
        await redis.set(BARE_CACHE_KEY, body)
    finally:
        await redis.aclose()


def server_environment(size: int, *, keep: bool) -> dict[str, str]:
    """PostgreSQL and Redis started, the bench database seeded with `size` products (or
    reused with `keep`), and the environment of a bench server on them (in this process
    too: settings are read once, before any backend import)."""
    from devstack.services import local_postgres, local_redis

    postgres, redis_server = local_postgres(), local_redis()
    postgres.start()
    redis_server.start()
    database_url, redis_url = postgres.url(DATABASE), redis_server.url(REDIS_DB)
    os.environ.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "ENVIRONMENT": "test"})
    prepare_database(database_url, redis_url, size, keep)
    generous = "1000000/minute"  # one address making every request: no rate limit here
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "test",
        "API_RATE_LIMIT_READ": generous,
        "API_RATE_LIMIT_WRITE": generous,
        "API_RATE_LIMIT_AUTH": generous,
    }


def load_arguments(
    description: str | None,
    *,
    size: int,
    more: Callable[[argparse.ArgumentParser], object] | None = None,
) -> argparse.Namespace:
    """The knobs of a bench that drives one server: catalog size, seconds per run,
    rounds, clients, granian workers, and --keep (reuse the seeded database); `more`
    adds a bench's own."""
    parser = argparse.ArgumentParser(description=description)
    if more is not None:
        more(parser)
    parser.add_argument("--size", type=int, default=size)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5, help="per server and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, default=2, help="granian workers per server (./shop run: 2)"
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "aiohttp"),
        default="wrk" if shutil.which("wrk") else "aiohttp",
        help="load generator (wrk when installed: apt-get install wrk)",
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--sale",
        action="store_true",
        help="with two automatic promotions live (the bare SQL endpoint still sells without)",
    )
    arguments = parser.parse_args()

    env = server_environment(arguments.size, keep=arguments.keep)
    put_promotions_live(sale=arguments.sale)
    database_url = env["DATABASE_URL"]
    page_sql, count_sql = listing_statements()
    env = {
        **env,
        "BENCH_DSN": database_url.replace("+psycopg", ""),
        "BENCH_PAGE_SQL": page_sql,
        "BENCH_COUNT_SQL": count_sql,
    }
    asyncio.run(
        measure_all(
            env,
            arguments.clients,
            arguments.seconds,
            arguments.rounds,
            arguments.workers,
            arguments.driver,
        )
    )


if __name__ == "__main__":
    main()
