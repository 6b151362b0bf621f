"""The running shop as Prometheus and a load balancer see it (issue #23): a page's events
and its open websocket show in the web process's /metrics (all its workers' samples
together), and the worker answers on its own metrics port."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect
from prometheus_client.parser import text_string_to_metric_families

from backend.settings import get_settings
from tests.e2e.pages.storefront import Storefront


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def test_page_events_and_the_open_websocket_show_in_metrics(page: Page, base_url: str) -> None:
    Storefront(page).open("/")
    expect(page.get_by_role("link", name="Kestrel Goods").first).to_be_visible()
    scraped = httpx.get(f"{base_url}/metrics")
    assert scraped.status_code == 200
    samples = _samples(scraped.text)
    handled = {
        (labels["state"], labels["handler"])
        for name, labels, value in samples
        if name == "shop_reflex_event_duration_seconds_count" and value > 0
    }
    assert any(handler == "load_cart_count" for _, handler in handled), handled
    sockets = [v for name, _, v in samples if name == "shop_websocket_connections"]
    assert sockets
    assert sum(sockets) >= 1
    assert httpx.get(f"{base_url}/health/ready").json()["status"] == "ready"


def test_the_worker_answers_on_its_metrics_port(base_url: str) -> None:
    del base_url  # the live shop (and its worker) is running
    port = get_settings().port + 7000  # tests/fixtures/live_shop.py gives it this port
    live = httpx.get(f"http://127.0.0.1:{port}/health/live")
    assert live.json() == {"status": "live"}
    ready = httpx.get(f"http://127.0.0.1:{port}/health/ready")
    assert ready.status_code == 200, ready.text
    names = {name for name, _, _ in _samples(httpx.get(f"http://127.0.0.1:{port}/metrics").text)}
    assert {"shop_outbox_pending_events", "shop_job_queue_depth"} <= names
