"""Resident memory of each web backend with 100 connected storefront clients.

    .venv/bin/python bench/memory_per_client.py [--clients 100] [--web-processes 2]
        [--catalog-size 1000] [--port 4750]

Starts `./shop cluster` (nginx on --port, the backends on --port+11…, one worker) on the
shared PostgreSQL and Redis with a database of its own (`shop_bench_memory`, fresh each
run) and Redis db 7 (so do not run it at the same time as `shopper_journey.py`), then:

1. warms up: a few clients load the home and a product page and leave, so every backend
   has imported and cached what the first client would otherwise pay for;
2. measures the idle baseline of each backend: RSS (and USS, the memory only that process
   uses) of its worker process, which serves the websockets, and RSS of all its processes
   (`reflex run` also loads the app before it starts Granian's worker);
3. opens --clients storefront tabs as browsers do (GET the home page's HTML, open the
   websocket, hydrate and run its on_load, then go to a product page) and keeps them
   open; nginx spreads them over the backends;
4. measures again; then announces, once, that every product the tabs show changed (as a
   worker does after a sale) and times how long until every tab has received its page's
   refresh (the live updates' fan-out: ui/live.py);
5. measures after every tab has closed.

It prints MB per backend (idle, with the clients, after they left), how many connections
from nginx each backend holds (one per websocket, plus a few idle keep-alive ones), and KB
per client: the growth of all backends divided by the connected clients, and the growth
from half the clients to all of them divided by the second half (what one more costs).
UI state lives in Redis (the cluster's state manager), so what a backend keeps per client
is its socket and the in-memory bookkeeping of the connection. The load generator and
whatever else runs on the machine share it; RSS is not affected by their CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cluster_runner import REDIS, Cluster
from bench.storefront_client import ShopperTab, StepError

DATABASE = "shop_bench_memory"
REDIS_DB = 7
MB = 1024 * 1024


@dataclass(frozen=True)
class Memory:
    """One backend's memory in bytes: `reflex run` starts Granian, whose worker process
    serves the requests and websockets; `total` adds the parent (which loads the app too)."""

    worker_rss: float
    worker_uss: float  # memory that only the worker uses (no shared libraries)
    total_rss: float


def memory(cluster: Cluster) -> dict[int, Memory]:
    found = {}
    for port, processes in cluster.backend_processes().items():
        sizes = []
        for process in processes:
            try:
                info = process.memory_full_info()
            except psutil.Error:
                continue
            sizes.append(info)
        worker = sizes[-1]  # the deepest child: the process that serves
        found[port] = Memory(worker.rss, worker.uss, sum(info.rss for info in sizes))
    return found


def websockets_per_backend(cluster: Cluster) -> dict[int, int]:
    """Open connections from nginx to each backend (one per websocket, plus idle
    keep-alive ones nginx keeps for plain requests)."""
    counts = dict.fromkeys(cluster.backend_ports, 0)
    for connection in psutil.net_connections(kind="tcp"):
        if (
            connection.status == psutil.CONN_ESTABLISHED
            and connection.laddr
            and connection.laddr.port in counts
        ):
            counts[connection.laddr.port] += 1
    return counts


async def open_tab(cluster: Cluster, number: int, product_urls: list[str]) -> ShopperTab:
    tab = ShopperTab(
        cluster.base_url,
        origin=cluster.origin,
        client_address=f"10.1.{number >> 8}.{number & 255}",
        timeout=60,
    )
    await tab.open("/")
    await tab.navigate(random.Random(number).choice(product_urls))
    return tab


async def product_urls(cluster: Cluster) -> list[str]:
    from storefront.pages.home import HomeState

    tab = ShopperTab(cluster.base_url, origin=cluster.origin, client_address="10.0.0.1")
    try:
        await tab.open("/")
        return [card["url"] for card in tab.vars_of(HomeState).get("new_arrivals", [])]
    finally:
        await tab.close()


async def measure(cluster: Cluster, clients: int) -> dict[str, object]:
    urls = await product_urls(cluster)
    if not urls:
        raise SystemExit("the home page shows no products")
    for number in range(4 * cluster.web_processes):  # warm-up
        tab = await open_tab(cluster, 60000 + number, urls)
        await tab.close()
    await asyncio.sleep(5)
    idle = memory(cluster)

    tabs: list[ShopperTab] = []
    failures: list[str] = []
    opening = asyncio.Semaphore(10)  # ten browsers opening at once, as a crowd arrives

    async def one(number: int) -> None:
        async with opening:
            try:
                tabs.append(await open_tab(cluster, number, urls))
            except (StepError, OSError, TimeoutError) as error:
                failures.append(f"{type(error).__name__}: {error}")

    # Half the clients first, then the rest: the growth from the first to the second
    # measurement is what each further client costs, without what the first ones pay once
    # (buffers and caches that grow to their working size).
    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(1, clients // 2 + 1)))
    await asyncio.sleep(5)
    half_open = sum(tab.connected for tab in tabs)
    half = memory(cluster)
    await asyncio.gather(*(one(n) for n in range(clients // 2 + 1, clients + 1)))
    opened = time.perf_counter() - started - 5
    await asyncio.sleep(5)
    still_open = sum(tab.connected for tab in tabs)
    loaded = memory(cluster)
    sockets = websockets_per_backend(cluster)
    refreshed, fan_out_seconds = await live_fan_out(cluster, tabs)

    for tab in tabs:
        await tab.close()
    await asyncio.sleep(10)
    after = memory(cluster)
    return {
        "idle": idle,
        "half": half,
        "half_connected": half_open,
        "loaded": loaded,
        "after": after,
        "sockets": sockets,
        "connected": still_open,
        "failures": failures,
        "opened_seconds": opened,
        "refreshed": refreshed,
        "fan_out_seconds": fan_out_seconds,
    }


async def live_fan_out(cluster: Cluster, tabs: list[ShopperTab]) -> tuple[int, float]:
    """Announces every product the tabs show as changed; returns how many tabs received
    their product page's refresh and the seconds until the last one did."""
    import json

    from redis.asyncio import Redis

    from backend.live.topics import channel_for, product_topic
    from storefront.pages.product import ProductState

    redis_url = f"{REDIS}/{cluster.redis_db}"
    shown = {(tab.vars_of(ProductState).get("product") or {}).get("id") for tab in tabs}
    topics = sorted(product_topic(product_id) for product_id in shown if product_id)
    product_state = ProductState.get_full_name()
    marks = [len(tab.messages) for tab in tabs]

    def refreshed() -> int:
        return sum(
            any(product_state in (m.get("delta") or {}) for m in tab.messages[mark:])
            for tab, mark in zip(tabs, marks, strict=True)
        )

    redis = Redis.from_url(redis_url)
    started = time.perf_counter()
    await redis.publish(channel_for(redis_url), json.dumps(topics))
    await redis.aclose()
    while refreshed() < len(tabs) and time.perf_counter() - started < 30:
        await asyncio.sleep(0.01)
    return refreshed(), time.perf_counter() - started


def report(cluster: Cluster, clients: int, figures: dict) -> None:
    idle, loaded, after = figures["idle"], figures["loaded"], figures["after"]
    connected = int(figures["connected"])
    print()
    print(
        f"{cluster.web_processes} web process(es), {connected} of {clients} clients "
        f"connected (opened in {figures['opened_seconds']:.1f} s); MB of each backend's "
        "worker process (RSS, and USS: its own pages), and of all its processes"
    )
    print(
        f"  {'backend':<8} {'sockets':>7} {'idle':>7} {'clients':>8} {'growth':>7} "
        f"{'after':>7} {'USS idle':>9} {'USS clients':>12} {'all idle':>9} {'all clients':>12}"
    )
    for port in sorted(loaded):
        i, w, a = idle[port], loaded[port], after[port]
        print(
            f"  :{port:<7} {figures['sockets'].get(port, 0):>7} {i.worker_rss / MB:7.1f} "
            f"{w.worker_rss / MB:8.1f} {(w.worker_rss - i.worker_rss) / MB:+7.1f} "
            f"{a.worker_rss / MB:7.1f} {i.worker_uss / MB:9.1f} {w.worker_uss / MB:12.1f} "
            f"{i.total_rss / MB:9.1f} {w.total_rss / MB:12.1f}"
        )
    growth_rss = sum(loaded[p].total_rss - idle[p].total_rss for p in loaded)
    growth_uss = sum(loaded[p].worker_uss - idle[p].worker_uss for p in loaded)
    per = max(connected, 1)
    print(
        f"  per client: {growth_rss / per / 1024:.0f} KB RSS ({growth_uss / per / 1024:.0f} KB "
        f"USS), the growth of all backends over {connected} clients"
    )
    half, half_connected = figures["half"], int(figures["half_connected"])
    if connected > half_connected:
        further = connected - half_connected
        growth = sum(loaded[p].total_rss - half[p].total_rss for p in loaded)
        growth_uss = sum(loaded[p].worker_uss - half[p].worker_uss for p in loaded)
        print(
            f"  per further client: {growth / further / 1024:.0f} KB RSS "
            f"({growth_uss / further / 1024:.0f} KB USS), from {half_connected} to "
            f"{connected} clients"
        )
    print(
        f"  live fan-out: {figures['refreshed']} of {connected} open product pages refreshed"
        f" {figures['fan_out_seconds'] * 1000:.0f} ms after one announcement naming their"
        " products"
    )
    for failure in figures["failures"][:5]:
        print(f"  client failed: {failure}")
    if figures["failures"]:
        print(f"  {len(figures['failures'])} clients failed to open")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--catalog-size", type=int, default=1000)
    parser.add_argument("--port", type=int, default=4750)
    args = parser.parse_args()
    cluster = Cluster(
        port=args.port,
        web_processes=args.web_processes,
        database=DATABASE,
        redis_db=REDIS_DB,
        first_backend_port=args.port + 11,
        catalog_size=args.catalog_size,
    )
    cluster.reset_data()
    cluster.start()
    try:
        figures = asyncio.run(measure(cluster, args.clients))
    finally:
        cluster.stop()
    report(cluster, args.clients, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
