"""Checkout throughput and add-to-cart latency, on this machine.

    .venv/bin/python bench/checkout.py [--buyers 16] [--orders 800]

Uses its own database (shop_bench_checkout), 200 products with ample stock. Prints:
- add-to-cart service call (`cart.add_item`) p50/p99;
- checkout = place the order (re-price, reserve stock, write it) + pay with the test
  gateway's success card, by `--buyers` concurrent buyers: orders per second and p50/p99
  per checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.cli import create_database_if_missing, migrate
from devstack.services import local_postgres, local_redis

postgres, redis_server = local_postgres(), local_redis()
postgres.start()
redis_server.start()
DATABASE_URL = postgres.url("shop_bench_checkout")
os.environ.update(
    {"DATABASE_URL": DATABASE_URL, "REDIS_URL": redis_server.url(12), "ENVIRONMENT": "test"}
)

import psycopg
from redis import Redis

from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog import services as catalog
from backend.catalog import taxonomy
from backend.catalog.inputs import CategoryCreate, ProductCreate
from backend.core.db import dispose_engine
from backend.orders import services as orders
from backend.orders.inputs import CheckoutDetails
from backend.orders.ownership import Shopper
from backend.payments import services as payments
from backend.payments.test_gateway import SUCCEEDS
from tests.fixtures.accounts import catalog_manager

DETAILS = CheckoutDetails(
    email="bench@example.com",
    full_name="Bench Buyer",
    line1="1 Load Street",
    city="Springfield",
    postal_code="12345",
    country="US",
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fresh_database() -> None:
    admin = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS shop_bench_checkout WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), "shop_bench_checkout")
    migrate(DATABASE_URL)
    Redis.from_url(redis_server.url(12)).flushdb()


async def make_products(count: int) -> list[uuid.UUID]:
    admin = await catalog_manager()
    category = await taxonomy.create_category(
        CategoryCreate(name="Bench", slug="bench"), actor=admin
    )
    return [
        await catalog.create_product(
            ProductCreate(
                name=f"Bench product {n}",
                sku=f"BENCH-{n}",
                price=Decimal("19.99") + n,
                category_id=category,
                stock_quantity=1_000_000,
            ),
            actor=admin,
        )
        for n in range(count)
    ]


async def measure_add_to_cart(products: list[uuid.UUID], runs: int) -> None:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    samples = []
    for n in range(runs):
        if n % 20 == 0:
            await carts.clear_cart(owner)
        started = time.perf_counter()
        await carts.add_item(owner, random.choice(products), 1)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"add to cart (cart.add_item):  p50 {statistics.median(samples):.2f} ms   "
        f"p99 {percentile(samples, 0.99):.2f} ms   ({runs} calls)"
    )


async def checkout(products: list[uuid.UUID]) -> float:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    for product in random.sample(products, 2):
        await carts.add_item(owner, product, random.randint(1, 3))
    started = time.perf_counter()
    placed = await orders.place_order(
        cart_owner=owner, details=DETAILS, checkout_key=uuid.uuid4().hex
    )
    outcome = await payments.pay_order(  # the guest's tab placed it: it may pay it
        placed.id,
        shopper=Shopper(opened_orders=frozenset({placed.id})),
        payment_method=SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    assert outcome.status == "succeeded", outcome
    return (time.perf_counter() - started) * 1000


async def measure_checkout(products: list[uuid.UUID], buyers: int, total: int) -> None:
    samples: list[float] = []
    queue = iter(range(total))

    async def buyer() -> None:
        for _ in queue:
            samples.append(await checkout(products))

    await checkout(products)  # warm-up
    started = time.perf_counter()
    await asyncio.gather(*(buyer() for _ in range(buyers)))
    elapsed = time.perf_counter() - started
    print(
        f"checkout (place + pay), {buyers} concurrent buyers: {total / elapsed:.0f} orders/s   "
        f"p50 {statistics.median(samples):.1f} ms   p99 {percentile(samples, 0.99):.1f} ms   "
        f"({total} orders in {elapsed:.1f} s)"
    )


async def main(buyers: int, total: int) -> None:
    fresh_database()
    products = await make_products(200)
    await measure_add_to_cart(products, 500)
    await measure_checkout(products, buyers, total)
    await dispose_engine()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--orders", type=int, default=800)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.buyers, arguments.orders))
