"""Metrics and health as an operator's Prometheus and load balancer read them (issue #23):
a checkout moves the order, payment and e-mail counters by exactly one; /metrics answers
only to allowed networks; labels stay few whatever callers send; readiness says which
dependency failed and recovers; the worker serves the same on its own port."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.access_log import AccessLogMiddleware
from api.app import build_http_app
from api.v1.app import build_api_v1
from api.v1.edge import api_routes
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.redis import forget_redis
from backend.observability import metrics
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.search.searcher import searchers
from backend.search.services import ensure_index
from backend.settings import get_settings
from jobs.event_handlers.order_emails import send_order_confirmation
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed
from tests.fixtures.waiting import eventually
from tests.fixtures.workers import FAST_RETRIES, running_worker
from tests.integration.test_stock_notices import events


def _client(address: str) -> httpx.AsyncClient:
    app = AccessLogMiddleware(build_http_app())
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:3100")


@pytest.fixture
async def ops() -> AsyncIterator[httpx.AsyncClient]:
    async with _client("127.0.0.1") as client:
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_a_checkout_moves_orders_payments_and_emails_by_exactly_one(
    ops: httpx.AsyncClient, make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(stock_quantity=5)
    before = await scrape(ops)
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product, 1)
    buyer = f"metrics-{unique}@example.com"
    placed = await orders.place_order(
        cart_owner=owner, details=checkout_details(email=buyer), checkout_key=uuid.uuid4().hex
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    [event] = await events("OrderPlaced", [str(placed.id)])
    await send_order_confirmation(event)  # type: ignore[arg-type]
    after = await scrape(ops)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert moved("shop_orders_placed_total") == 1
    assert moved("shop_payments_total", outcome="succeeded") == 1
    assert (
        moved("shop_emails_total", outcome="stored") + moved("shop_emails_total", outcome="sent")
        == 1
    )
    # The backlog gauges are read at scrape time: this test's events wait in the outbox.
    assert after[("shop_outbox_pending_events", ())] >= 1
    assert after[("shop_outbox_oldest_pending_age_seconds", ())] >= 0
    assert ("shop_dead_letters", ()) in after
    assert ("shop_job_queue_depth", ()) in after
    assert after[("shop_db_pool_connections", (("state", "in_use"),))] >= 0
    # Histograms are there, by route template: the scrape itself was one request.
    assert any(
        name == "shop_http_request_duration_seconds_bucket" and dict(labels)["route"] == "/metrics"
        for name, labels in after
    )


async def test_metrics_are_refused_to_other_networks() -> None:
    async with _client("203.0.113.9") as stranger:
        refused = await stranger.get("/metrics")
    assert refused.status_code == 403
    assert "shop_" not in refused.text


async def test_labels_stay_few_whatever_paths_and_event_names_callers_send(
    ops: httpx.AsyncClient,
) -> None:
    for _ in range(30):
        await ops.get(f"/api/v1/products/{uuid.uuid4()}")
        await ops.get(f"/no-such-page-{uuid.uuid4().hex}")
    for number in range(metrics.MAX_EVENT_LABELS + 200):
        metrics.observe_event(f"state.hostile_{number}_{uuid.uuid4().hex}", 0.001)
    found = await scrape(ops)
    routes = {
        dict(labels)["route"]
        for name, labels in found
        if name == "shop_http_request_duration_seconds_count"
    }
    assert "/api/v1/products/{product_id}" in routes
    assert not any(
        str(uuid.UUID(int=0))[:8] in route or "no-such-page" in route for route in routes
    )
    # At most one label per route the shop declares (the API's, and a few HTTP routes
    # in front of Reflex), whatever paths callers invent.
    assert len(routes) < len(api_routes(build_api_v1())) + 30
    handlers = {
        labels for name, labels in found if name == "shop_reflex_event_duration_seconds_count"
    }
    assert len(handlers) <= metrics.MAX_EVENT_LABELS + 1


@pytest.fixture
async def search_index(tmp_path: Path) -> AsyncIterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "index"))
        get_settings.cache_clear()
        await ensure_index()
        yield
        searchers.close()
    get_settings.cache_clear()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_readiness_names_the_failed_dependency_and_recovers(
    ops: httpx.AsyncClient, search_index: None
) -> None:
    live = await ops.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "live"})
    ready = await ops.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "migrations": "ok",
        "search_index": "ok",
    }

    with pytest.MonkeyPatch.context() as patch:  # Redis goes away
        patch.setenv("REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
        get_settings.cache_clear()
        forget_redis()
        down = await ops.get("/health/ready")
        assert down.status_code == 503
        assert down.json()["checks"]["redis"].startswith("failed")
        assert down.json()["checks"]["database"] == "ok"
    get_settings.cache_clear()
    forget_redis()
    assert (await ops.get("/health/ready")).status_code == 200  # and comes back


async def test_the_worker_serves_metrics_and_readiness_on_its_own_port(tmp_path: Path) -> None:
    port = _closed_port()  # free now; the worker takes it
    env = {**FAST_RETRIES, "WORKER_METRICS_PORT": str(port), "BUILD_SEARCH_INDEX_ON_START": "true"}
    with running_worker(tmp_path / "worker.log", **env) as worker:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def answers() -> bool:
                try:
                    return (await client.get("/health/live")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(answers, within=60)
            assert worker.poll() is None

            async def ready() -> bool:
                return (await client.get("/health/ready")).status_code == 200

            await eventually(ready, within=60)  # once its search index is built
            scraped = samples((await client.get("/metrics")).text)
    assert ("shop_outbox_pending_events", ()) in scraped
    assert ("shop_job_queue_depth", ()) in scraped
