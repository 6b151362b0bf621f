"""Load test of the shopper journey against `./shop cluster` with 1, then 2 web processes.

    .venv/bin/python bench/shopper_journey.py [--users 20] [--seconds 60]
        [--web-processes 1,2] [--catalog-size 1000] [--think 0.5] [--port 4700]

For each web-process count it starts the cluster as production lays it out (nginx on
--port serving the built frontend and balancing the `reflex --backend-only` backends on
--port+11…, one arq worker) on the shared PostgreSQL and Redis, with a database of its
own (`shop_bench_journey`, dropped and seeded afresh once per run, with every variant's
stock topped up, at its first online location, so shoppers never find it sold out) and
Redis db 7; runs `--users` virtual shoppers for `--seconds`; stops the cluster. It prints
one table per count — p50/p95/p99/max per step and errors, the CPU time the backends
(and the whole cluster) spent per journey and how busy the machine was — and the
throughput ratio (journeys/s with 2 processes over journeys/s with 1: above 1 means the
second process helps on this machine). The machine is shared: compare the load averages
printed with each table.

One journey, by a new shopper (new cookie, new websocket, address of its own):
  home        GET / (nginx: HTML + guest cart cookie), websocket, hydrate + on_load
  category    a category tile of the home page (in-app navigation: on_load over the socket)
  double_click  another tile, then 50 ms later (its page still loading) a third: the time
              from the second click until that category's products show
  search      the header search for a word of a product seen there → results page
  product     a product of the results
  add_to_cart "Add to cart"; the header's badge counts it
  cart        the cart page, ready for checkout
  checkout    the checkout page (details form)
  review      the details submitted → review step with totals
  pay         the test gateway's success card 4242 4242 4242 4242 → redirected to the
              order page, which shows the order as paid
Each virtual user repeats journeys back to back, pausing `--think` seconds on average
between steps (default 0.5: a quick shopper); the journey row's times include the pauses.
The pauses cap what the users can ask for (20 users × 1 journey per ≥ 4.5 s of pauses: at
most about 4 journeys/s); to find the capacity, add users or pass `--think 0`.
`--think 0` clicks the instant a page is loaded, which no person does: it provokes waits
of 10 s (Reflex's Redis lock expiry) when a navigation arrives while the previous page's
on_load chain is finishing (see the README's Benchmarks note).

A step that fails - an HTTP error, a websocket that closes or does not answer within
--step-timeout, an error toast, or a page without what the shopper needs to go on (no
products, cart not ready, order not paid) - counts as an error of that step and ends that
journey (the journey row counts it too). Journeys still running at the end are finished,
not dropped. Latencies are of successful steps.

`--profile FOLDER` records each web backend with py-spy while the load runs: a flame graph
(SVG) and its folded stacks, which `bench/flame_summary.py` sums up by area and function.

Why not Locust or browsers: a storefront page is static HTML plus Reflex's websocket, so a
realistic user must speak Reflex's socket.io protocol. Locust runs on gevent, while the
socket.io client is asyncio; the virtual users here are asyncio tasks speaking that
protocol (`bench/storefront_client.py`, following the compiled frontend's state.js), and
sending only what a browser sends. Headless browsers would also render and run the
JavaScript, which on this 2-core machine would load the machine more than the shop.
The load generator shares the machine with the cluster, as does anything else running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cluster_runner import ROOT, Cluster
from bench.storefront_client import ShopperTab, StepError, percentile

DATABASE = "shop_bench_journey"
REDIS_DB = 7
STEPS = (
    "home",
    "category",
    "double_click",
    "search",
    "product",
    "add_to_cart",
    "cart",
    "checkout",
    "review",
    "pay",
)
SUCCESS_CARD = "4242 4242 4242 4242"
DETAILS = {
    "email": "bench@example.com",
    "full_name": "Bench Shopper",
    "line1": "1 Load Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
    "shipping_method": "standard",
    "discount_code": "",
}


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    journeys: list[float] = field(default_factory=list)
    failed_journeys: int = 0
    generator_cpu: float = 0.0  # cores the load generator itself kept busy
    backend_cpu: float = 0.0  # CPU seconds the web backends used during the run
    cluster_cpu: float = 0.0  # … and nginx, the backends and the worker together
    machine_busy: float = 0.0  # share of all cores busy during the run (anyone's work)
    load_average: float = 0.0  # the machine's 1-minute load average at the end

    def error(self, step: str, message: str) -> None:
        self.errors[step] += 1
        if len(self.error_samples[step]) < 3:
            self.error_samples[step].append(message[:300])


def states() -> dict[str, type]:
    """The storefront's state classes whose values the journey reads (imported late: the
    import reads the shop's settings)."""
    from storefront.components.listing import ListingState
    from storefront.pages.cart import CartState
    from storefront.pages.checkout import CheckoutState
    from storefront.pages.home import HomeState
    from storefront.pages.orders import OrderState
    from storefront.pages.product import ProductState
    from storefront.pages.search import SearchState
    from storefront.state import HeaderState

    return {
        "home": HomeState,
        "category": ListingState,  # a category page's products live in its listing part
        "search": SearchState,
        "product": ProductState,
        "header": HeaderState,
        "cart": CartState,
        "checkout": CheckoutState,
        "order": OrderState,
    }


def event(state_cls: type, handler: str) -> str:
    return f"{state_cls.get_full_name()}.{handler}"


def search_word(name: str) -> str:
    words = [w.strip(",.·()") for w in name.split()]
    longest = max(words, key=len)
    return longest.lower()


class Journey:
    """One shopper's way from the home page to a paid order, step by step."""

    def __init__(self, tab: ShopperTab, s: dict[str, type], rng: random.Random) -> None:
        self.tab, self.s, self.rng = tab, s, rng

    def vars(self, key: str) -> dict:
        return self.tab.vars_of(self.s[key])

    async def home(self) -> None:
        await self.tab.open("/")
        if not self.vars("home").get("categories") or not self.vars("home").get("new_arrivals"):
            raise StepError("home page without categories or new arrivals")

    async def category(self) -> None:
        tiles = [c for c in self.vars("home")["categories"] if c.get("product_count", 0) > 0]
        if not tiles:
            raise StepError("no category with products")
        await self.tab.navigate(self.rng.choice(tiles)["url"])
        if not self.vars("category").get("products"):
            raise StepError(f"category {self.tab.path} shows no products")

    async def double_click(self) -> float:
        """A shopper clicks one category tile and, 50 ms later while its page loads, another:
        the time from the second click until the second category's products show."""
        shown = self.vars("category").get("base_path")
        tiles = [
            c
            for c in self.vars("home")["categories"]
            if c.get("product_count", 0) > 0 and c["url"] != shown
        ]
        if len(tiles) < 2:
            raise StepError("fewer than two other categories with products")
        first, second = self.rng.sample(tiles, 2)
        await self.tab.click(first["url"])
        await asyncio.sleep(0.05)
        clicked = time.perf_counter()
        await self.tab.navigate(
            second["url"],
            until=lambda: (
                self.vars("category").get("base_path") == second["url"]
                and bool(self.vars("category").get("products"))
            ),
        )
        return time.perf_counter() - clicked

    async def search(self) -> None:
        product = self.rng.choice(self.vars("category")["products"])
        query = search_word(product["name"])
        start = await self.tab.call(
            event(self.s["header"], "submit_search"),
            {"form_data": {"q": query}},
            until=lambda start: self.tab.redirect_since(start) is not None,
            what=f"search for {query!r}",
        )
        target = self.tab.redirect_since(start)
        assert target is not None
        await self.tab.navigate(target)
        if not self.vars("search").get("products"):
            raise StepError(f"no results for {query!r}")

    async def product(self) -> None:
        found = [p for p in self.vars("search")["products"] if p.get("in_stock")]
        if not found:
            raise StepError("no result in stock")
        await self.tab.navigate(self.rng.choice(found)["url"])
        product = self.vars("product").get("product")
        if not product or not product.get("in_stock"):
            raise StepError(f"product page {self.tab.path} shows no product in stock")

    async def add_to_cart(self) -> None:
        cart_name = self.s["cart"].get_full_name()
        # The variant the page shows (the first in stock, as the picker chooses it).
        variant = self.vars("product").get("variant") or {}
        if not variant.get("in_stock"):
            raise StepError(f"product page {self.tab.path} shows no variant in stock")
        # The handler ends with its toast ("Added … to your cart", or why not).
        await self.tab.call(
            event(self.s["cart"], "add"),
            {"variant_id": variant["id"], "quantity": "1"},
            until=self.tab.toast_since,
            what="add to cart",
        )
        if cart_name not in self.tab.state or self.vars("header").get("cart_item_count", 0) < 1:
            raise StepError("the cart badge does not count the product")

    async def cart(self) -> None:
        await self.tab.navigate("/cart")
        if not self.vars("cart").get("ready"):
            raise StepError("the cart is not ready for checkout")

    async def checkout(self) -> None:
        start = len(self.tab.messages)
        await self.tab.navigate("/checkout")
        if self.tab.redirect_since(start) or self.vars("checkout").get("step") != "details":
            raise StepError("the checkout page did not show the details form")

    async def review(self) -> None:
        checkout_name = self.s["checkout"].get_full_name()
        await self.tab.call(
            event(self.s["checkout"], "review"),
            {"form_data": DETAILS},
            until=lambda start: any(
                checkout_name in (m.get("delta") or {}) for m in self.tab.messages[start:]
            ),
            what="submit the checkout details",
        )
        shown = self.vars("checkout")
        if shown.get("step") != "review":
            raise StepError(f"no review step: {shown.get('message')!r} {shown.get('errors')!r}")

    async def pay(self) -> None:
        checkout_name = self.s["checkout"].get_full_name()

        def settled(start: int) -> bool:
            """Redirected to the order, or the payment refused (a message, not paying)."""
            return self.tab.redirect_since(start) is not None or any(
                (m.get("delta") or {}).get(checkout_name, {}).get("message_rx_state_")
                for m in self.tab.messages[start:]
            )

        start = await self.tab.call(
            event(self.s["checkout"], "pay"),
            {"form_data": {"card_number": SUCCESS_CARD}},
            until=settled,
            what="pay",
        )
        target = self.tab.redirect_since(start)
        if not target or not target.startswith("/orders/"):
            raise StepError(f"payment not accepted: {self.vars('checkout').get('message')!r}")
        await self.tab.navigate(target)
        order = self.vars("order").get("order")
        if not order or "paid" not in str(order.get("payment_status", "")).lower():
            status = order and order.get("payment_status")
            raise StepError(f"order page without a paid order ({status!r})")


async def run_journey(
    cluster: Cluster, results: Results, s: dict[str, type], number: int, args: argparse.Namespace
) -> bool:
    rng = random.Random(number)
    address = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
    tab = ShopperTab(
        cluster.base_url,
        origin=cluster.origin,
        client_address=address,
        timeout=args.step_timeout,
    )
    journey = Journey(tab, s, rng)
    began = time.perf_counter()
    try:
        for step in STEPS:
            started = time.perf_counter()
            try:
                # A step may time itself (from its second click); others take the whole step.
                measured = await getattr(journey, step)()
            except Exception as error:  # whatever goes wrong is an error of the step
                results.error(step, f"{type(error).__name__}: {error}")
                results.failed_journeys += 1
                return False
            took = measured if isinstance(measured, float) else time.perf_counter() - started
            results.latencies[step].append(took)
            if args.think:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think)
        results.journeys.append(time.perf_counter() - began)
        return True
    finally:
        await tab.close()


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def backend_cpu_seconds(cluster: Cluster) -> float:
    return cpu_seconds([p for ps in cluster.backend_processes().values() for p in ps])


def cluster_cpu_seconds(cluster: Cluster) -> float:
    """nginx, the web backends and the worker (not PostgreSQL and Redis: shared)."""
    assert cluster.process is not None
    return cpu_seconds(psutil.Process(cluster.process.pid).children(recursive=True))


async def load(cluster: Cluster, args: argparse.Namespace) -> tuple[Results, float]:
    s = states()
    results = Results()
    counter = iter(range(1, 10**9))
    deadline = time.monotonic() + args.seconds

    async def user(index: int) -> None:
        # Users start spread over the first seconds, not all in the same instant.
        await asyncio.sleep(index * min(5.0, args.seconds / 10) / max(args.users, 1))
        while time.monotonic() < deadline:
            await run_journey(cluster, results, s, next(counter), args)

    started, cpu = time.perf_counter(), psutil.Process().cpu_times()
    backends_before, cluster_before = backend_cpu_seconds(cluster), cluster_cpu_seconds(cluster)
    psutil.cpu_percent()
    with profiled(cluster, args):
        await asyncio.gather(*(user(i) for i in range(args.users)))
    elapsed, spent = time.perf_counter() - started, psutil.Process().cpu_times()
    results.machine_busy = psutil.cpu_percent() / 100
    results.generator_cpu = (spent.user + spent.system - cpu.user - cpu.system) / elapsed
    results.backend_cpu = backend_cpu_seconds(cluster) - backends_before
    results.cluster_cpu = cluster_cpu_seconds(cluster) - cluster_before
    results.load_average = os.getloadavg()[0]
    return results, elapsed


async def warm_up(cluster: Cluster, args: argparse.Namespace, web_processes: int) -> None:
    """A few journeys before measuring, so every backend has imported and cached what the
    first shopper would otherwise wait for."""
    s = states()
    results = Results()
    for number in range(2 * web_processes):
        await run_journey(cluster, results, s, 10**9 + number, args)
    if results.errors:
        print(f"  warm-up errors: {dict(results.errors)} {dict(results.error_samples)}")


@contextmanager
def profiled(cluster: Cluster, args: argparse.Namespace) -> Iterator[None]:
    """With --profile: py-spy samples every web backend's serving process while the load
    runs, into a flame graph (SVG) and its folded stacks (bench/flame_summary.py reads
    those) per backend under --profile's folder."""
    if not args.profile:
        yield
        return
    folder = Path(args.profile)
    folder.mkdir(parents=True, exist_ok=True)
    recorders: list[subprocess.Popen[bytes]] = []
    for port, processes in cluster.backend_processes().items():
        # The backend's `reflex run` process and what it started (Granian's worker serves).
        root = processes[0]
        stem = folder / f"journey-{cluster.web_processes}web-{port}"
        for output, file in (("flamegraph", ".svg"), ("raw", ".folded")):
            recorders.append(
                subprocess.Popen(
                    [
                        str(ROOT / ".venv" / "bin" / "py-spy"),
                        "record",
                        "--pid",
                        str(root.pid),
                        "--subprocesses",
                        "--rate",
                        "100",
                        "--duration",
                        str(int(args.seconds)),
                        "--format",
                        output,
                        "--output",
                        str(stem) + file,
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.wait(timeout=60)
        print(f"  profiles written to {folder}", flush=True)


def top_up_stock(cluster: Cluster) -> None:
    import psycopg

    url = "postgresql://" + cluster.database_url.split("://", 1)[1]
    # A variant's stock is what its locations hold: the missing units go to the first
    # location that sells online, where orders take them from, in the same transaction.
    with psycopg.connect(url) as connection:
        connection.execute(
            """
            WITH first_location AS (
                SELECT id FROM stock_locations WHERE sells_online
                ORDER BY priority, name LIMIT 1
            ), gap AS (
                SELECT id AS variant_id, 1000000 - stock_quantity AS missing
                FROM product_variants WHERE stock_quantity < 1000000
            )
            INSERT INTO location_stock (location_id, variant_id, quantity)
            SELECT first_location.id, gap.variant_id, gap.missing FROM first_location, gap
            ON CONFLICT (location_id, variant_id)
            DO UPDATE SET quantity = location_stock.quantity + EXCLUDED.quantity
            """
        )
        connection.execute(
            "UPDATE product_variants SET stock_quantity = 1000000 WHERE stock_quantity < 1000000"
        )


def print_table(web_processes: int, args: argparse.Namespace, results: Results, elapsed: float):
    journeys = len(results.journeys)
    errors = sum(results.errors.values())
    print()
    print(
        f"{web_processes} web process(es), {args.users} users, {elapsed:.0f} s: "
        f"{journeys} journeys ({journeys / elapsed:.2f}/s), {errors} errors"
    )
    per_journey = 1000 / max(journeys, 1)
    print(
        f"  CPU per journey: web backends {results.backend_cpu * per_journey:.0f} ms, "
        f"with nginx and the worker {results.cluster_cpu * per_journey:.0f} ms; web backends "
        f"busy {results.backend_cpu / elapsed:.2f} cores of {psutil.cpu_count()}"
    )
    print(
        f"  machine: {results.machine_busy * psutil.cpu_count():.1f} of {psutil.cpu_count()} "
        f"cores busy (this load generator {results.generator_cpu:.2f}), "
        f"load average {results.load_average:.1f}"
    )
    print(
        f"  {'step':<12} {'ok':>6} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8}"
    )
    for step in (*STEPS, "journey"):
        values = results.journeys if step == "journey" else results.latencies[step]
        failed = results.failed_journeys if step == "journey" else results.errors[step]
        cells = (
            [f"{percentile(values, q) * 1000:8.0f}" for q in (0.5, 0.95, 0.99, 1.0)]
            if values
            else [f"{'-':>8}"] * 4
        )
        print(f"  {step:<12} {len(values):>6} {failed:>7} {' '.join(cells)}")
    for step, samples in results.error_samples.items():
        for sample in samples:
            print(f"  error in {step}: {sample}")
    return journeys / elapsed if elapsed else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-processes", default="1,2", help="comma separated counts")
    parser.add_argument("--catalog-size", type=int, default=1000)
    parser.add_argument(
        "--think", type=float, default=0.5, help="mean seconds between steps (0: none)"
    )
    parser.add_argument("--step-timeout", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=4700)
    parser.add_argument(
        "--profile", metavar="FOLDER", help="record the backends with py-spy into FOLDER"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.web_processes.split(",") if n.strip()]

    throughput: dict[int, float] = {}
    for position, count in enumerate(counts):
        cluster = Cluster(
            port=args.port,
            web_processes=count,
            database=DATABASE,
            redis_db=REDIS_DB,
            first_backend_port=args.port + 11,
            catalog_size=args.catalog_size,
        )
        if position == 0:
            cluster.reset_data()
        cluster.start()
        try:
            top_up_stock(cluster)
            asyncio.run(warm_up(cluster, args, count))
            print(f"Running {args.users} users for {args.seconds:.0f} s", flush=True)
            results, elapsed = asyncio.run(load(cluster, args))
        finally:
            cluster.stop()
        throughput[count] = print_table(count, args, results, elapsed)

    if 1 in throughput and len(throughput) > 1:
        print()
        for count, rate in throughput.items():
            if count != 1 and throughput[1]:
                print(
                    f"Throughput ratio {count} : 1 web processes = {rate / throughput[1]:.2f} "
                    f"({rate:.2f} vs {throughput[1]:.2f} journeys/s)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
