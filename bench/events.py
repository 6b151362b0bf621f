"""Event → e-mail latency and outbox relay throughput, on this machine.

    .venv/bin/python bench/events.py [--emails 200] [--relay-events 5000]

Uses its own database (shop_bench, recreated) and Redis database 14 on the private
services, a real worker process (`python -m jobs`) and a local SMTP server (aiosmtpd).
Latency is measured from the commit of the change that records the event to the moment
the SMTP server has accepted the message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.cli import create_database_if_missing, migrate
from devstack.services import local_postgres, local_redis

postgres, redis_server = local_postgres(), local_redis()
postgres.start()
redis_server.start()
DATABASE_URL = postgres.url("shop_bench")
os.environ.update(
    {"DATABASE_URL": DATABASE_URL, "REDIS_URL": redis_server.url(14), "ENVIRONMENT": "test"}
)

import psycopg
from aiosmtpd.controller import Controller
from arq import create_pool
from arq.connections import RedisSettings
from redis import Redis

from backend.accounts import registration
from backend.catalog.events import ProductChanged
from backend.core.db import session_scope
from backend.events.outbox import record_event
from backend.events.relay import dispatch_pending_events
from jobs.relay import enqueue_handler_jobs


class TimingHandler:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        for rcpt in envelope.rcpt_tos:  # type: ignore[attr-defined]
            self.arrivals[rcpt] = time.perf_counter()
        return "250 OK"


def fresh_database() -> None:
    admin = "postgresql://" + postgres.url("postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS shop_bench WITH (FORCE)")
    create_database_if_missing(postgres.url("postgres"), "shop_bench")
    migrate(DATABASE_URL)
    Redis.from_url(redis_server.url(14)).flushdb()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure_latency(count: int, smtp_port: int, handler: TimingHandler) -> list[float]:
    await registration.ensure_roles()
    committed: dict[str, float] = {}
    for index in range(count):
        email = f"bench{index}@example.com"
        await registration.create_user(
            username=f"bench{index}", email=email, password="bench password 123", status="pending"
        )
        committed[email] = time.perf_counter()
        await asyncio.sleep(0.02)  # a steady trickle, as in a shop, not one burst
    deadline = time.perf_counter() + 60
    while len(handler.arrivals) < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    return [handler.arrivals[e] - t for e, t in committed.items() if e in handler.arrivals]


async def measure_relay(count: int) -> float:
    batch = 1000
    for start in range(0, count, batch):
        async with session_scope() as session:
            for _ in range(min(batch, count - start)):
                await record_event(
                    session, ProductChanged(aggregate_id="bench", change="updated", sku="B")
                )
    redis = await create_pool(RedisSettings.from_dsn(redis_server.url(14)))
    started = time.perf_counter()
    moved = 0
    while True:
        claimed = await dispatch_pending_events(
            handlers_for=lambda _type: ["bench_handler"],
            enqueue=lambda jobs: enqueue_handler_jobs(redis, jobs),
        )
        moved += claimed
        if not claimed:
            break
    elapsed = time.perf_counter() - started
    await redis.aclose()
    return moved / elapsed


async def main(emails: int, relay_events: int) -> None:
    fresh_database()
    handler = TimingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobs"],
        env={**os.environ, "SMTP_URL": f"smtp://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.sleep(3)  # worker start-up
        latencies = await measure_latency(emails, port, handler)
    finally:
        worker.terminate()
        worker.wait(30)
        controller.stop()
    print(f"event committed → e-mail accepted by SMTP ({len(latencies)}/{emails} delivered):")
    print(
        f"  p50 {statistics.median(latencies) * 1000:.0f} ms   "
        f"p90 {percentile(latencies, 0.9) * 1000:.0f} ms   "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms   "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    rate = await measure_relay(relay_events)
    print(f"outbox relay: {relay_events} events claimed and enqueued at {rate:.0f} events/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--relay-events", type=int, default=5000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.emails, arguments.relay_events))
