"""One checkout, one trace: the web request, the outbox relay, the worker's job, the e-mail
it sends and the webhook delivery share a trace id, each span under the one before; and
the JSON log lines of that request carry its request id and that trace id.

Real PostgreSQL and Redis; the relay and the worker's job run in this process (as the
worker runs them), and spans are collected in memory instead of being exported.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from api.access_log import AccessLogMiddleware
from api.app import build_http_app
from backend.accounts import tokens
from backend.accounts.schemas import Viewer
from backend.core.db import dispose_engine
from backend.observability.logging_setup import build_handler
from backend.observability.tracing import setup_tracing, stop_tracing
from backend.settings import LogFormat, get_settings
from backend.webhooks import delivery
from backend.webhooks import services as webhooks
from jobs.events import handle_event_job
from jobs.relay import relay_once
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.workers import settle_outbox

ADDRESS = {
    "full_name": "Ada Buyer",
    "line1": "1 Market Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


@pytest.fixture
async def spans(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    # Every trace kept (the shop's default keeps 1 in 100): these tests read each one.
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
    # Pooled connections made before tracing was on are not instrumented: new ones are.
    await dispose_engine()
    assert setup_tracing("shop-test", exporter=exporter)
    try:
        yield exporter
    finally:
        stop_tracing()
        await dispose_engine()  # later tests get connections without tracing


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The shop's JSON log lines of this test, as a log pipeline would read them."""
    stream = io.StringIO()
    handler = build_handler(LogFormat.JSON, stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A webhook receiver on this machine: its URL, and the headers of what it received."""
    received: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(dict(self.headers.items()))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def webhook_endpoint(
    admin_viewer: Viewer, receiver: tuple[str, list[dict[str, str]]]
) -> AsyncIterator[uuid.UUID]:
    created = await webhooks.create_endpoint(
        admin_viewer, url=receiver[0], event_types=["order.placed"]
    )
    yield created.endpoint.id
    await webhooks.delete_endpoint(admin_viewer, created.endpoint.id)


@pytest.fixture
async def arq_redis() -> AsyncIterator[ArqRedis]:
    redis = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    yield redis
    await redis.aclose()


async def run_queued_event_jobs(redis: ArqRedis) -> list[str]:
    """What the worker does with the jobs the relay queued: run each, with its arguments."""
    outcomes = []
    for job in await redis.queued_jobs():
        assert job.function == "handle_event_job"
        outcomes.append(await handle_event_job({"job_try": 1}, *job.args, **job.kwargs))
    return outcomes


def by_name(finished: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    matching = [span for span in finished if span.name == name]
    assert len(matching) == 1, (name, sorted({span.name for span in finished}))
    return matching[0]


def ancestors(span: ReadableSpan, finished: tuple[ReadableSpan, ...]) -> list[str]:
    """Names of the spans above `span`, nearest first."""
    by_id = {s.context.span_id: s for s in finished}
    names = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        above = by_id[parent.span_id]
        names.append(above.name)
        parent = above.parent
    return names


async def test_one_checkout_is_one_trace_from_request_to_email_and_webhook(
    spans: InMemorySpanExporter,
    json_log: io.StringIO,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    webhook_endpoint: uuid.UUID,
    receiver: tuple[str, list[dict[str, str]]],
    arq_redis: ArqRedis,
) -> None:
    await settle_outbox()  # events of earlier tests are not part of this trace
    product = await make_product(price=Decimal("12.50"), stock_quantity=5)
    pair = await tokens.issue_tokens(shopper_viewer.user_id)
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    web = AccessLogMiddleware(build_http_app())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://localhost:3100/api/v1"
    ) as api:
        added = await api.post(
            "/cart/items", json={"product_id": str(product), "quantity": 1}, headers=headers
        )
        assert added.status_code == 200, added.text
        spans.clear()
        placed = await api.post(
            "/orders", json=ADDRESS, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
        )
    assert placed.status_code == 201, placed.text

    assert await relay_once(arq_redis) >= 1
    outcomes = await run_queued_event_jobs(arq_redis)
    assert outcomes
    assert set(outcomes) == {"done"}
    assert await delivery.send_due_deliveries() == 1
    assert len(receiver[1]) == 1

    finished = spans.get_finished_spans()
    request = by_name(finished, "POST /api/v1/orders")
    relay = by_name(finished, "relay OrderPlaced")
    job = by_name(finished, "job send_order_confirmation")
    email = by_name(finished, "email send")
    webhook = by_name(finished, "webhook delivery order.placed")
    assert request.kind is SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/api/v1/orders"
    trace_ids = {s.context.trace_id for s in (request, relay, job, email, webhook)}
    assert trace_ids == {request.context.trace_id}
    # Each hop under the one before it, across the outbox and the queue.
    assert relay.parent is not None
    assert "POST /api/v1/orders" in ancestors(relay, finished)
    assert ancestors(job, finished)[0] == "relay OrderPlaced"
    assert ancestors(email, finished)[0] == "job send_order_confirmation"
    assert "POST /api/v1/orders" in ancestors(webhook, finished)
    # The order's transaction: its statements are spans of the request's trace.
    statements = [
        s
        for s in finished
        if s.kind is SpanKind.CLIENT and s.context.trace_id == request.context.trace_id
    ]
    assert any("outbox_events" in str((s.attributes or {}).get("db.statement")) for s in statements)
    # The webhook receiver got the trace too (W3C traceparent of the delivery's request).
    traceparent = {k.lower(): v for k, v in receiver[1][0].items()}["traceparent"]
    assert traceparent.split("-")[1] == format(request.context.trace_id, "032x")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "no JSON log lines were written"
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id", "trace_id"} <= line.keys()
    access = [
        line
        for line in lines
        if line["logger"] == "shop.access" and line["route"] == "/api/v1/orders"
    ]
    assert len(access) == 1
    assert access[0]["request_id"] == placed.headers["x-request-id"]
    assert access[0]["trace_id"] == format(request.context.trace_id, "032x")
    assert access[0]["status"] == 201
    assert isinstance(access[0]["duration_ms"], float)


async def test_without_a_collector_nothing_is_traced_or_stored(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    """Tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT): events carry no trace context."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from backend.core.db import session_scope
    from backend.events.models import OutboxEvent

    await settle_outbox()
    product = await make_product(price=Decimal("3.00"), stock_quantity=5)
    pair = await tokens.issue_tokens(shopper_viewer.user_id)
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=AccessLogMiddleware(build_http_app())),
        base_url="http://localhost:3100/api/v1",
    ) as api:
        await api.post(
            "/cart/items", json={"product_id": str(product), "quantity": 1}, headers=headers
        )
        placed = await api.post(
            "/orders", json=ADDRESS, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
        )
    assert placed.status_code == 201, placed.text
    async with session_scope() as session:
        contexts: list[Any] = list(
            (
                await session.exec(
                    select(OutboxEvent.trace_context).where(
                        col(OutboxEvent.dispatched_at).is_(None)
                    )
                )
            ).all()
        )
        # SQL NULL, not a JSON null: "no trace" reads the same from SQL as from Python.
        stored = (
            await session.exec(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    col(OutboxEvent.dispatched_at).is_(None),
                    col(OutboxEvent.trace_context).is_not(None),
                )
            )
        ).one()
    assert contexts
    assert all(context is None for context in contexts)
    assert stored == 0


CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_a_request_continues_the_callers_trace_and_a_dropped_trace_records_nothing(
    spans: InMemorySpanExporter, make_product: MakeProduct
) -> None:
    """A caller's sampled `traceparent` is continued: the request's server span and its
    database spans join that trace. A caller's unsampled one is followed too: nothing of
    that request is recorded (the database calls made no spans at all)."""
    await make_product(price=Decimal("4.00"), stock_quantity=3)
    web = AccessLogMiddleware(build_http_app())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://localhost:3100/api/v1"
    ) as api:
        spans.clear()
        sampled = await api.get(
            "/products?limit=5&sort=newest",
            headers={"traceparent": f"00-{CALLER_TRACE_ID}-00f067aa0ba902b7-01"},
        )
        assert sampled.status_code == 200, sampled.text
        traced = spans.get_finished_spans()
        server = by_name(traced, "GET /api/v1/products")
        assert server.kind is SpanKind.SERVER
        assert format(server.context.trace_id, "032x") == CALLER_TRACE_ID
        assert server.parent is not None
        assert server.parent.span_id == 0x00F067AA0BA902B7
        assert server.attributes is not None
        assert server.attributes["http.response.status_code"] == 200
        assert any(s.kind is SpanKind.CLIENT for s in traced), "no database span"

        spans.clear()
        dropped = await api.get(
            "/products?limit=5&sort=price_asc",
            headers={"traceparent": f"00-{CALLER_TRACE_ID}-00f067aa0ba902b8-00"},
        )
        assert dropped.status_code == 200, dropped.text
        assert spans.get_finished_spans() == ()
