"""Fault drills against the production layout (`./shop cluster`): nginx in front of two web
backends and two workers, on a PostgreSQL and a Redis of their own, so they can be
restarted without disturbing the rest of the suite.

A shopper's browser goes through nginx the whole time. Each drill breaks one piece under
it — a web process killed, Redis restarted, PostgreSQL restarted — and checks what the
shopper would: the cart is still there, the page still answers, the next checkout goes
through, and no order is lost or doubled. (A worker killed mid-job is drilled in
`tests/integration/test_event_drills.py`.)

Slow by nature (a cluster start, process restarts), so marked `slow`; part of the full run.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from devstack import cluster
from devstack.cli import create_database_if_missing, wait_until_serving
from devstack.services import VAR_DIR, PostgresCluster, RedisServer, port_is_open
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import wait_until_loaded
from tests.fixtures.mail import free_port

pytestmark = pytest.mark.slow

CARD = "4242 4242 4242 4242"
RECONNECT_TIMEOUT_MS = 60_000


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_run(length: int) -> int:
    """A port with the `length - 1` ports after it free too (the web backends'). Below
    Linux's ephemeral range (32768 and up): the cluster binds them only minutes later,
    after its frontend build, and by then an outgoing connection on a busy machine had
    been given one of them ("Address already in use")."""
    for _ in range(200):
        first = 20_000 + secrets.randbelow(12_000)
        if all(_bindable(first + n) and not port_is_open(first + n) for n in range(length)):
            return first
    raise RuntimeError("no run of free ports found")


def _eventually(probe: Callable[[], Any], *, within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not true after {within:.0f} s")
        time.sleep(0.5)


@dataclass
class DrillCluster:
    base_url: str
    backend_ports: tuple[int, int]
    postgres: PostgresCluster
    redis: RedisServer
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def database_url(self) -> str:
        return self.postgres.url("shop").replace("+psycopg", "")

    def query(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as connection:
            return connection.execute(statement, params).fetchall()

    def in_stock_slugs(self, count: int) -> list[str]:
        rows = self.query(
            "SELECT slug FROM products WHERE is_active AND stock_quantity >= 5 "
            "ORDER BY sku LIMIT %s",
            count,
        )
        assert len(rows) == count, "the drill catalog has too few products in stock"
        return [slug for (slug,) in rows]

    def orders_of(self, email: str) -> list[tuple[str, str]]:
        return [
            (number, payment_status)
            for number, payment_status in self.query(
                "SELECT number, payment_status FROM orders WHERE lower(email) = lower(%s)",
                email,
            )
        ]

    def confirmations_to(self, email: str) -> int:
        [(count,)] = self.query(
            "SELECT count(*) FROM notifications "
            "WHERE recipient = %s AND template = 'order_confirmation'",
            email,
        )
        return int(count)

    def kill_backend(self, port: int) -> int:
        """SIGKILL the web backend on `port` (its whole process group), as a crash would."""
        listener = next(
            connection.pid
            for connection in psutil.net_connections(kind="tcp")
            if connection.laddr
            and connection.laddr.port == port
            and connection.status == psutil.CONN_LISTEN
            and connection.pid
        )
        group = os.getpgid(listener)
        os.killpg(group, signal.SIGKILL)
        return group

    def wait_for_backend(self, port: int) -> None:
        """Until the supervisor (`./shop cluster`) has the backend on `port` serving again."""
        wait_until_serving(f"http://127.0.0.1:{port}/ping", self.process, seconds=180)


@pytest.fixture(scope="module")
def drill() -> Iterator[DrillCluster]:
    root = VAR_DIR / "drills"
    shutil.rmtree(root, ignore_errors=True)
    postgres = PostgresCluster(root / "postgres", port=free_port())
    redis = RedisServer(root / "redis", port=free_port())
    web_port = _free_port_run(3)
    backend_ports = (web_port + 1, web_port + 2)
    postgres.start()
    redis.start()
    create_database_if_missing(postgres.url("postgres"), "shop")
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url("shop"),
        "REDIS_URL": redis.url(0),
        "PORT": str(web_port),
        "WEB_BACKEND_PORT": str(backend_ports[0]),
        "WEB_PROCESSES": "2",
        "WORKER_PROCESSES": "2",
        "DEMO_CATALOG_SIZE": "30",
        "MEDIA_DIR": str(root / "media"),
        "SEARCH_INDEX_DIR": str(root / "search-index"),
    }
    for name in ("PUBLIC_BASE_URL", "SMTP_URL"):  # mail is stored: the drills read it
        env.pop(name, None)
    log = root / "cluster.log"
    process = cluster.launch(env, log)
    try:
        wait_until_serving(f"http://127.0.0.1:{web_port}/", process, seconds=900)
        yield DrillCluster(
            base_url=f"http://localhost:{web_port}",
            backend_ports=backend_ports,
            postgres=postgres,
            redis=redis,
            process=process,
            log=log,
        )
    finally:
        cluster.shut_down(process)
        redis.stop()
        postgres.stop()
        shutil.rmtree(root / "web", ignore_errors=True)


@pytest.fixture
def shopper(browser: Browser, drill: DrillCluster) -> Iterator[Page]:
    context = browser.new_context(base_url=drill.base_url)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _check_out(buyer: Buyer, email: str) -> None:
    buyer.open_checkout()
    buyer.fill_details(email=email)
    buyer.pay(CARD)
    expect(buyer.page).to_have_url(re.compile(r"/orders/KG-"), timeout=30_000)
    expect(buyer.page.get_by_text("Thank you! Your order is placed")).to_be_visible()


def test_a_killed_web_process_keeps_the_cart_and_the_next_checkout_succeeds(
    drill: DrillCluster, shopper: Page, unique: str
) -> None:
    first, second = drill.in_stock_slugs(2)
    buyer = Buyer(shopper)
    buyer.add_to_cart(first)
    buyer.expect_cart_count(1)

    # One of the two backends carries this tab's websocket; killing each in turn (the
    # supervisor restarts the first before the second goes) is sure to hit it.
    for port in drill.backend_ports:
        drill.kill_backend(port)
        # The tab reconnects through nginx to the live backend, which finds the tab's
        # state in Redis; opening the cart (a page load and its events) shows the line.
        shopper.goto("/cart")
        # A reconnect waits for socket.io's backoff: give it longer than a page load.
        wait_until_loaded(shopper, timeout_ms=RECONNECT_TIMEOUT_MS)
        expect(shopper.get_by_test_id("subtotal")).to_be_visible()
        buyer.expect_cart_count(1)
        drill.wait_for_backend(port)
    shopper.screenshot(path="var/test-results/drill-after-web-kills.png")

    buyer.add_to_cart(second)
    buyer.expect_cart_count(2)
    email = f"drill-web-{unique}@example.com"
    _check_out(buyer, email)
    assert [status for _, status in drill.orders_of(email)] == ["paid"]
    _eventually(lambda: drill.confirmations_to(email) == 1, within=60, what="confirmation")


def test_a_redis_restart_needs_no_manual_step(
    drill: DrillCluster, shopper: Page, unique: str
) -> None:
    first, second = drill.in_stock_slugs(2)
    buyer = Buyer(shopper)
    buyer.add_to_cart(first)
    buyer.expect_cart_count(1)

    drill.redis.stop()
    time.sleep(2)  # long enough for every process to notice
    drill.redis.start()

    # The cart (kept in Redis, append-only) survived; the same tab goes on shopping.
    buyer.add_to_cart(second)
    buyer.expect_cart_count(2)
    email = f"drill-redis-{unique}@example.com"
    _check_out(buyer, email)
    assert [status for _, status in drill.orders_of(email)] == ["paid"]
    # The workers' queues recovered too: the confirmation e-mail goes out, once.
    _eventually(lambda: drill.confirmations_to(email) == 1, within=90, what="confirmation")
    assert drill.process.poll() is None, "the cluster must outlive the restart"


def test_a_postgres_restart_loses_no_order_and_doubles_none(
    drill: DrillCluster, shopper: Page, unique: str
) -> None:
    slug = drill.in_stock_slugs(1)[0]
    buyer = Buyer(shopper)
    before, after = f"drill-pg-before-{unique}@example.com", f"drill-pg-after-{unique}@example.com"
    buyer.add_to_cart(slug)
    _check_out(buyer, before)

    drill.postgres.stop()
    drill.postgres.start()

    # Pooled connections died with the server: idle ones are pinged and replaced, no restart.
    buyer.add_to_cart(slug)
    buyer.expect_cart_count(1)
    _check_out(buyer, after)
    assert [status for _, status in drill.orders_of(before)] == ["paid"]
    assert [status for _, status in drill.orders_of(after)] == ["paid"]
    for email in (before, after):
        _eventually(
            lambda email=email: drill.confirmations_to(email) == 1,
            within=90,
            what=f"the confirmation to {email}",
        )
    assert drill.process.poll() is None, "the cluster must outlive the restart"
