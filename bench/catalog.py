"""Catalog and search speed on a large catalog, on this machine.

    .venv/bin/python bench/catalog.py [--size 100000] [--runs 200] [--keep]

Uses its own database (shop_bench_catalog) and search index under var/bench/, seeded with
the demo generator (no pictures). Prints:
- the listing service call p50/p99 on page 1 and on a deep page (page 500 of the whole
  catalog), with nothing cached, after the shopper's page 1 (totals cached, the page
  not), and fully cached;
- search p50/p99 over a mix of queries, and suggest p50/p99;
- full reindex rate (products/s);
- how long an edit takes to be found by search, through a real worker (`python -m jobs`).
`--keep` reuses an existing bench database and index (skips seeding and indexing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.cli import create_database_if_missing, migrate
from devstack.services import VAR_DIR, local_postgres, local_redis

postgres, redis_server = local_postgres(), local_redis()
postgres.start()
redis_server.start()
DATABASE_URL = postgres.url("shop_bench_catalog")
BENCH_DIR = VAR_DIR / "bench"
os.environ.update(
    {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_server.url(13),
        "ENVIRONMENT": "test",
        "SEARCH_INDEX_DIR": str(BENCH_DIR / "search-index"),
        "MEDIA_DIR": str(BENCH_DIR / "media"),
    }
)

import psycopg
from redis import Redis

from backend.catalog import cache, category_queries, listing_queries, services
from backend.catalog.listing import ListingQuery
from backend.core.db import dispose_engine
from backend.demo.seed import seed_demo_data
from backend.search import queries as search
from backend.search.schemas import SearchQuery, SearchSort
from backend.search.services import rebuild_index
from tests.fixtures.accounts import catalog_manager

SEARCHES = (
    SearchQuery(text="headphones"),
    SearchQuery(text="heaphones"),  # a typo
    SearchQuery(text="wireless headphones black"),
    SearchQuery(text="cast iron skillet", sort=SearchSort.PRICE_ASC),
    SearchQuery(text="lamp", in_stock_only=True),
    SearchQuery(text="sneakers", price_band="$50–$100"),
    SearchQuery(text="jacket", page=3),
    SearchQuery(text="oak"),
)


def fresh_database() -> None:
    admin = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS shop_bench_catalog WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), "shop_bench_catalog")
    migrate(DATABASE_URL)
    Redis.from_url(redis_server.url(13)).flushdb()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def timed(
    call: Callable[[], Awaitable[object]],
    runs: int,
    before: Callable[[], Awaitable[object]] | None = None,
) -> list[float]:
    """`call()` timed `runs` times, after one warm-up; `before()` runs untimed each time."""
    await call()
    samples = []
    for _ in range(runs):
        if before is not None:
            await before()
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    print(
        f"  {label:<58} p50 {statistics.median(samples):6.2f} ms   "
        f"p99 {percentile(samples, 0.99):6.2f} ms"
    )


async def measure_listings(runs: int) -> None:
    tree = await category_queries.get_category_tree()
    top = tree.children(None)[0]
    everything = await listing_queries.list_products(ListingQuery(limit=20))
    print(
        f"listing service call, listing_queries.list_products ({everything.total} active products):"
    )

    async def forget() -> None:
        await cache.invalidate()

    def first_page_then_forget_pages(query: ListingQuery) -> Callable[[], Awaitable[object]]:
        async def prepare() -> None:
            await cache.invalidate()
            await listing_queries.list_products(query.with_page(1))  # a shopper arrives on page 1

        return prepare

    by_price = ListingQuery(sort_by="price", order="asc")
    cases: list[tuple[str, ListingQuery, bool, Callable[[], Awaitable[object]] | None]] = [
        (
            f"“{top.name}” page 1, newest, nothing cached",
            ListingQuery(category=top.slug),
            False,
            forget,
        ),
        (
            f"“{top.name}” page 1, by price, nothing cached",
            ListingQuery(category=top.slug, sort_by="price", order="asc"),
            False,
            forget,
        ),
        (
            f"“{top.name}” page 1 with facets, nothing cached",
            ListingQuery(category=top.slug),
            True,
            forget,
        ),
        (f"“{top.name}” page 1 with facets, cached", ListingQuery(category=top.slug), True, None),
        (
            f"“{top.name}” page 500, by price, after page 1",
            ListingQuery(category=top.slug, sort_by="price", order="asc", page=500),
            False,
            first_page_then_forget_pages(
                ListingQuery(category=top.slug, sort_by="price", order="asc")
            ),
        ),
        ("whole catalog page 1, by price, nothing cached", by_price, False, forget),
        (
            "whole catalog page 500, by price, nothing cached",
            by_price.with_page(500),
            False,
            forget,
        ),
        (
            "whole catalog page 500, by price, after page 1",
            by_price.with_page(500),
            False,
            first_page_then_forget_pages(by_price),
        ),
        (
            "whole catalog page 500, newest, after page 1",
            ListingQuery(page=500),
            False,
            first_page_then_forget_pages(ListingQuery()),
        ),
    ]
    for label, query, facets, before in cases:
        report(
            label,
            await timed(
                lambda q=query, f=facets: listing_queries.list_products(q, with_facets=f),
                runs,
                before,
            ),
        )


async def measure_search(runs: int) -> None:
    print("search (Whoosh, in process):")
    samples: list[float] = []
    for query in SEARCHES:
        samples += await timed(
            lambda q=query: search.search_products(q), max(1, runs // len(SEARCHES))
        )
    report(f"{len(SEARCHES)} queries mixed", samples)
    suggest: list[float] = []
    for prefix in ("he", "head", "wireless hea", "cast ir", "sne"):
        suggest += await timed(lambda p=prefix: search.suggest(p), max(1, runs // 5))
    report("suggest (as you type)", suggest)


async def measure_search_during_a_sale(runs: int) -> None:
    """The same queries while 20 % off everything runs: search then reads the on-sale
    products' prices (every product here) at most once a second per process."""
    import backend.models  # noqa: F401  (every table: a promotion refers to shipping zones)
    from backend.merchandising import promotion_services
    from backend.merchandising.promotions import forget_cached
    from backend.search import sale_prices

    admin = await catalog_manager()
    promotion = await promotion_services.save_promotion(
        None, {"title": "Bench sale", "kind": "percent", "value": "20", "target": "all"},
        actor=admin,
    )  # fmt: skip
    try:
        forget_cached()
        reads: list[float] = []
        for _ in range(5):
            sale_prices.forget_kept()
            started = time.perf_counter()
            found = await sale_prices.current_sale_prices()
            reads.append((time.perf_counter() - started) * 1000)
        assert found is not None
        print(f"during a sale on everything ({len(found.by_product)} products on sale):")
        report("reading the sale prices (on a promotion change)", reads)
        samples: list[float] = []
        for query in SEARCHES:
            samples += await timed(
                lambda q=query: search.search_products(q), max(1, runs // len(SEARCHES))
            )
        report(f"{len(SEARCHES)} queries mixed (sale prices kept)", samples)
    finally:
        await promotion_services.delete_promotion(promotion, actor=admin)


async def measure_edit_to_search(seconds_limit: float = 30) -> float:
    """Rename a product through the service; time until search finds the new name."""
    target = (await listing_queries.list_products(ListingQuery(limit=1))).items[0]
    marker = f"Zephyrine {int(time.time())}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobs"],
        env={**os.environ, "BUILD_SEARCH_INDEX_ON_START": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.sleep(3)  # worker start-up
        started = time.perf_counter()
        await services.update_product(target.id, {"name": marker}, actor=await catalog_manager())
        while time.perf_counter() - started < seconds_limit:
            if (await search.search_products(SearchQuery(text=marker))).total:
                return time.perf_counter() - started
            await asyncio.sleep(0.05)
        return float("inf")
    finally:
        worker.terminate()
        worker.wait(30)


async def main(size: int, runs: int, keep: bool) -> None:
    if not keep:
        fresh_database()
        started = time.perf_counter()
        seeded = await seed_demo_data(size=size, images=False)
        print(f"seeded {seeded.products_created} products in {time.perf_counter() - started:.1f} s")
        # What autovacuum does soon after a bulk load: statistics and the visibility map
        # (index-only scans skip the table only for pages marked all-visible).
        with psycopg.connect(DATABASE_URL.replace("+psycopg", ""), autocommit=True) as db:
            db.execute("VACUUM ANALYZE products")
        built = await rebuild_index()
        print(
            f"full reindex: {built.read} products in {built.seconds:.1f} s = "
            f"{built.products_per_second:.0f} products/s"
        )
    await measure_listings(runs)
    await measure_search(runs)
    await measure_search_during_a_sale(runs)
    took = await measure_edit_to_search()
    print(f"edit → found by search through the worker: {took:.2f} s")
    await dispose_engine()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.size, arguments.runs, arguments.keep))
