"""The admin products table on a large catalog, on this machine.

    .venv/bin/python bench/admin_products.py [--size 100000] [--runs 200] [--keep]

Uses its own database (shop_bench_admin), seeded with the demo generator (no pictures).
Prints p50/p99 of the server's work for one table page — the service call the page's
handler makes (`staff_table.list_products_for_staff`: the page and its count) — for the
first page and for filtered, searched, sorted and deep pages. The target (admin issue):
first page and a filtered page, p50 ≤ 150 ms. `--keep` reuses the seeded database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.cli import create_database_if_missing, migrate
from devstack.services import local_postgres, local_redis

postgres, redis_server = local_postgres(), local_redis()
postgres.start()
redis_server.start()
DATABASE = "shop_bench_admin"
DATABASE_URL = postgres.url(DATABASE)
os.environ.update(
    {"DATABASE_URL": DATABASE_URL, "REDIS_URL": redis_server.url(10), "ENVIRONMENT": "test"}
)

import psycopg
from redis import Redis

from backend.catalog import category_queries, queries
from backend.catalog.staff_table import (
    StaffProductQuery,
    StaffSort,
    StatusFilter,
    StockFilter,
    list_products_for_staff,
)
from backend.core.db import dispose_engine
from backend.demo.seed import seed_demo_data

PAGE_SIZE = 25


def fresh_database() -> None:
    admin = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), DATABASE)
    migrate(DATABASE_URL)
    Redis.from_url(redis_server.url(10)).flushdb()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(label: str, query: StaffProductQuery, runs: int, page: int = 1) -> None:
    result = await list_products_for_staff(query, page=page, limit=PAGE_SIZE)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await list_products_for_staff(query, page=page, limit=PAGE_SIZE)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"  {label:<62} {result.total:>7} rows   p50 {statistics.median(samples):6.2f} ms   "
        f"p99 {percentile(samples, 0.99):6.2f} ms"
    )


async def main(size: int, runs: int, keep: bool) -> None:
    if not keep:
        fresh_database()
        started = time.perf_counter()
        seeded = await seed_demo_data(size=size, images=False)
        print(f"seeded {seeded.products_created} products in {time.perf_counter() - started:.1f} s")
        with psycopg.connect(DATABASE_URL.replace("+psycopg", ""), autocommit=True) as db:
            db.execute("VACUUM ANALYZE products")
    tree = await category_queries.get_category_tree()
    top = tree.children(None)[0]
    sub = tree.children(top.id)[0] if tree.children(top.id) else top
    brand = (await queries.list_brand_names())[0]
    print(f"staff products table, {PAGE_SIZE} rows a page (service call = the handler's SQL):")
    cases = [
        ("first page (all products, newest first)", StaffProductQuery()),
        (
            f"filtered: category “{top.name}”, active, by price",
            StaffProductQuery(
                category_id=top.id, status=StatusFilter.ACTIVE, sort=StaffSort.PRICE_LOW
            ),
        ),
        (
            f"filtered: subcategory “{sub.name}” + brand “{brand}”",
            StaffProductQuery(category_id=sub.id, brand=brand),
        ),
        ("search: name or SKU contains “lamp”", StaffProductQuery(text="lamp")),
        ("search: SKU fragment “-0042”", StaffProductQuery(text="-0042")),
        (
            "filtered: low stock, stock lowest first",
            StaffProductQuery(stock=StockFilter.LOW, sort=StaffSort.STOCK_LOW),
        ),
        (
            "filtered: hidden products, name A–Z",
            StaffProductQuery(status=StatusFilter.HIDDEN, sort=StaffSort.NAME),
        ),
    ]
    for label, query in cases:
        await measure(label, query, runs)
    await measure(
        "deep page 400 of all products, name A–Z",
        StaffProductQuery(sort=StaffSort.NAME),
        runs,
        page=400,
    )
    await dispose_engine()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.size, arguments.runs, arguments.keep))
