"""The shop's Prometheus metrics (their names and labels: deploy/metrics.txt, which the
Grafana dashboard and the alert rules use).

Web processes run several workers: with `PROMETHEUS_MULTIPROC_DIR` set (the process
starter sets it, one folder per web process, emptied at start), each worker writes its
samples there and a scrape of any of them adds them up. The worker process has its own
registry and port. Labels are bounded: route templates (never raw paths), known methods,
a closed set of outcomes, and at most `MAX_EVENT_LABELS` Reflex handlers.
"""

from __future__ import annotations

import os
import threading
from ipaddress import ip_address, ip_network
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from backend.settings import get_settings

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUEST_DURATION = Histogram(
    "shop_http_request_duration_seconds",
    "HTTP requests by route template, method and status.",
    ("route", "method", "status"),
    buckets=_FAST,
)
REFLEX_EVENT_DURATION = Histogram(
    "shop_reflex_event_duration_seconds",
    "Reflex event handlers by state and handler.",
    ("state", "handler"),
    buckets=_FAST,
)
WEBSOCKET_CONNECTIONS = Gauge(
    "shop_websocket_connections", "Open Reflex websocket connections.", multiprocess_mode="livesum"
)
ORDERS_PLACED = Counter("shop_orders_placed", "Orders placed.")
PAYMENTS = Counter("shop_payments", "Payment attempts by outcome.", ("outcome",))
REFUNDS = Counter("shop_refunds", "Refunds by outcome.", ("outcome",))
OUTBOX_PENDING = Gauge(
    "shop_outbox_pending_events",
    "Outbox events not yet relayed to the queue.",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "shop_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox event not yet relayed (0: none).",
    multiprocess_mode="mostrecent",
)
EVENT_DELIVERIES = Counter(
    "shop_event_deliveries", "Event handler runs by handler and outcome.", ("handler", "outcome")
)
DEAD_LETTERS = Gauge(
    "shop_dead_letters", "Event deliveries given up on.", multiprocess_mode="mostrecent"
)
JOB_QUEUE_DEPTH = Gauge(
    "shop_job_queue_depth", "Jobs waiting in the arq queue.", multiprocess_mode="mostrecent"
)
JOB_DURATION = Histogram(
    "shop_job_duration_seconds",
    "Worker jobs by function and outcome.",
    ("function", "outcome"),
    buckets=_FAST,
)
EMAILS = Counter("shop_emails", "E-mails by outcome (sent, stored, failed).", ("outcome",))
CACHE_REQUESTS = Counter(
    "shop_cache_requests", "Cache lookups by cache and result (hit, miss).", ("cache", "result")
)
SEARCH_DURATION = Histogram("shop_search_duration_seconds", "Product searches.", buckets=_FAST)
DB_POOL_CONNECTIONS = Gauge(
    "shop_db_pool_connections",
    "PostgreSQL pool connections by state (in_use, idle, overflow).",
    ("state",),
    multiprocess_mode="livesum",
)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_EVENT_LABELS = 500
OTHER = "(other)"
_event_labels: set[tuple[str, str]] = set()
_event_labels_lock = threading.Lock()


# Each (route, method, status)'s histogram child, found once: `labels()` takes a lock and
# builds its key on every call, a third of what a request's metrics cost. Bounded as the
# labels are (route templates, known methods, status codes).
_http_children: dict[tuple[str, str, int], Any] = {}


def observe_http(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method if method in KNOWN_METHODS else OTHER, status)
    child = _http_children.get(key)
    if child is None:
        child = _http_children[key] = HTTP_REQUEST_DURATION.labels(key[0], key[1], str(status))
    child.observe(seconds)


def observe_event(name: str, seconds: float) -> None:
    """A Reflex event "state.sub.handler": at most MAX_EVENT_LABELS pairs are kept apart
    (a browser can send any name), the rest counted as "(other)"."""
    state, _, handler = name.rpartition(".")
    labels = (state[:200] or OTHER, handler[:100] or OTHER)
    with _event_labels_lock:
        if labels not in _event_labels:
            if len(_event_labels) >= MAX_EVENT_LABELS:
                labels = (OTHER, OTHER)
            else:
                _event_labels.add(labels)
    REFLEX_EVENT_DURATION.labels(*labels).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """This process's metrics (all of a web process's workers' with a multiprocess dir)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def may_read_metrics(address: str | None) -> bool:
    """Whether the connecting address is in METRICS_ALLOWED_NETWORKS."""
    if not address:
        return False
    try:
        caller = ip_address(address)
    except ValueError:
        return False
    return any(
        caller in ip_network(network, strict=False)
        for network in get_settings().metrics_allowed_networks
    )
