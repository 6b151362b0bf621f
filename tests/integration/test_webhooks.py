"""Outbound webhooks: subscribed endpoints get each event once, signed; failures are retried
with backoff, each endpoint on its own; every attempt is logged; admins only."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlmodel import col, func, select

from api.app import build_http_app
from backend.accounts import tokens
from backend.accounts.schemas import Viewer
from backend.catalog.events import ProductsChanged
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.events.base import DomainEvent
from backend.events.outbox import record_event
from backend.inventory.events import LowStock
from backend.orders.events import OrderCancelled, OrderPaid
from backend.webhooks import delivery
from backend.webhooks import queries as webhook_queries
from backend.webhooks import services as webhooks
from backend.webhooks.errors import DeliveryAlreadyScheduledError
from backend.webhooks.event_types import WEBHOOK_EVENT_TYPES
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint
from backend.webhooks.schemas import CreatedEndpoint
from backend.webhooks.signing import sign, verify_signature
from jobs.event_handlers.webhook_deliveries import deliver_to_webhooks
from jobs.handlers import EVENT_HANDLERS

# ---------------------------------------------------------------- a receiving server


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """A tiny HTTP server in a thread: records every request; answers each path with the
    statuses queued for it (then 200)."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    plans: dict[str, list[int]] = field(default_factory=dict)
    always: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.requests if request.path == path]

    def answer_for(self, path: str) -> int:
        with self.lock:
            if path in self.always:
                return self.always[path]
            queued = self.plans.get(path)
            return queued.pop(0) if queued else 200


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with state.lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status = state.answer_for(self.path)
            answer = b"ok" if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- helpers


@pytest.fixture
async def endpoints(admin_viewer: Viewer) -> AsyncIterator[list[uuid.UUID]]:
    """Ids of endpoints a test creates; deleted afterwards, so later tests' sends never
    reach them."""
    created: list[uuid.UUID] = []
    yield created
    for endpoint_id in created:
        with contextlib.suppress(NotFoundError):
            await webhooks.delete_endpoint(admin_viewer, endpoint_id)


async def register(
    admin: Viewer, endpoints: list[uuid.UUID], url: str, *event_types: str
) -> CreatedEndpoint:
    created = await webhooks.create_endpoint(admin, url=url, event_types=event_types)
    endpoints.append(created.endpoint.id)
    return created


async def committed(event: DomainEvent) -> DomainEvent:
    """The event in the outbox, as a service would have recorded it."""
    async with session_scope() as session:
        await record_event(session, event)
    return event


def order_paid(unique: str) -> OrderPaid:
    return OrderPaid(
        aggregate_id=str(uuid.uuid4()),
        order_number=f"KG-{unique}",
        email=f"buyer-{unique}@example.com",
        customer_name="Buyer",
        amount=Decimal("42.00"),
        currency="USD",
    )


async def deliveries_of(event: DomainEvent) -> list[WebhookDelivery]:
    async with session_scope() as session:
        return list(
            (
                await session.exec(
                    select(WebhookDelivery).where(WebhookDelivery.event_id == event.event_id)
                )
            ).all()
        )


async def one_delivery(event: DomainEvent, endpoint_id: uuid.UUID) -> WebhookDelivery:
    rows = [row for row in await deliveries_of(event) if row.endpoint_id == endpoint_id]
    assert len(rows) == 1
    return rows[0]


async def endpoint_count() -> int:
    async with session_scope() as session:
        return (await session.exec(select(func.count()).select_from(WebhookEndpoint))).one()


def valid(request: Received, secret: str) -> bool:
    return verify_signature(request.body, request.headers["Kestrel-Signature"], secret)


# ---------------------------------------------------------------- fan-out and sending


async def test_each_subscribed_endpoint_gets_the_event_once_signed_with_its_own_secret(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    first = await register(
        admin_viewer, endpoints, receiver.url(f"/a-{unique}"), "order.paid", "stock.low"
    )
    second = await register(admin_viewer, endpoints, receiver.url(f"/b-{unique}"), "order.paid")
    other = await register(admin_viewer, endpoints, receiver.url(f"/c-{unique}"), "stock.low")
    event = await committed(order_paid(unique))

    # The handler may run more than once (at-least-once events): still one delivery each.
    await deliver_to_webhooks(event)
    await deliver_to_webhooks(event)
    assert len(await deliveries_of(event)) == 2
    await delivery.send_due_deliveries()
    await delivery.send_due_deliveries()

    for path, created in ((f"/a-{unique}", first), (f"/b-{unique}", second)):
        [request] = receiver.to(path)
        assert valid(request, created.secret)
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Kestrel-Event-Id"] == str(event.event_id)
        assert request.headers["Kestrel-Event-Type"] == "order.paid"
        body = request.json()
        assert body["id"] == str(event.event_id)
        assert body["type"] == "order.paid"
        assert body["object_id"] == event.aggregate_id
        assert body["data"] == event.payload()
        assert (body["data"]["amount"], body["data"]["currency"]) == ("42.00", "USD")
    # Each endpoint's secret signs only its own deliveries.
    assert not valid(receiver.to(f"/a-{unique}")[0], second.secret)
    assert receiver.to(f"/c-{unique}") == []  # not subscribed to order.paid
    assert {row.status for row in await deliveries_of(event)} == {"succeeded"}
    assert other.endpoint.id not in {row.endpoint_id for row in await deliveries_of(event)}


async def test_after_a_rotation_deliveries_verify_with_either_secret_until_the_grace_ends(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    created = await register(admin_viewer, endpoints, receiver.url(f"/r-{unique}"), "order.paid")
    rotated = await webhooks.rotate_secret(
        admin_viewer, created.endpoint.id, keep_previous_for_hours=2
    )
    assert rotated.secret != created.secret
    assert rotated.secret.startswith("whsec_")
    assert rotated.endpoint.previous_secret_expires_at is not None
    await deliver_to_webhooks(await committed(order_paid(unique)))
    await delivery.send_due_deliveries()
    [during_grace] = receiver.to(f"/r-{unique}")
    # A receiver still on the old secret and one already on the new both accept it.
    assert valid(during_grace, created.secret)
    assert valid(during_grace, rotated.secret)

    # Once the grace period is over, only the new secret signs.
    await deliver_to_webhooks(await committed(order_paid(unique + "-2")))
    await delivery.send_due_deliveries(now=utcnow() + timedelta(hours=3))
    after_grace = receiver.to(f"/r-{unique}")[-1]
    assert valid(after_grace, rotated.secret)
    assert not valid(after_grace, created.secret)


async def test_rotating_with_no_grace_retires_the_old_secret_at_once(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    created = await register(admin_viewer, endpoints, receiver.url(f"/l-{unique}"), "order.paid")
    first = await webhooks.rotate_secret(admin_viewer, created.endpoint.id)
    # A second rotation (a leak found during the grace period) retires both older secrets.
    leaked = await webhooks.rotate_secret(
        admin_viewer, created.endpoint.id, keep_previous_for_hours=0
    )
    assert leaked.endpoint.previous_secret_expires_at is None
    await deliver_to_webhooks(await committed(order_paid(unique)))
    await delivery.send_due_deliveries()
    [request] = receiver.to(f"/l-{unique}")
    assert valid(request, leaked.secret)
    assert not valid(request, first.secret)
    assert not valid(request, created.secret)
    assert request.headers["Kestrel-Signature"].count("v1=") == 1


async def test_a_disabled_endpoint_gets_nothing(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    created = await register(admin_viewer, endpoints, receiver.url(f"/off-{unique}"), "order.paid")
    await webhooks.disable_endpoint(admin_viewer, created.endpoint.id)
    event = await committed(order_paid(unique))
    await deliver_to_webhooks(event)
    await delivery.send_due_deliveries()
    assert receiver.to(f"/off-{unique}") == []
    assert await deliveries_of(event) == []


async def test_a_receiver_failing_twice_gets_the_delivery_on_the_third_try_all_attempts_logged(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    path = f"/flaky-{unique}"
    receiver.plans[path] = [500, 500]
    created = await register(admin_viewer, endpoints, receiver.url(path), "order.paid")
    event = await committed(order_paid(unique))
    await deliver_to_webhooks(event)

    await delivery.send_due_deliveries()
    row = await one_delivery(event, created.endpoint.id)
    assert (row.status, row.attempts, row.response_status) == ("pending", 1, 500)
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - utcnow() > timedelta(seconds=20)  # backoff: about 30 s

    await delivery.send_due_deliveries()  # not due yet: nothing is sent
    assert len(receiver.to(path)) == 1

    await delivery.send_due_deliveries(now=utcnow() + timedelta(seconds=31))
    row = await one_delivery(event, created.endpoint.id)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - utcnow() > timedelta(minutes=2)  # backoff grows

    await delivery.send_due_deliveries(now=utcnow() + timedelta(minutes=3))
    row = await one_delivery(event, created.endpoint.id)
    assert (row.status, row.attempts, row.response_status) == ("succeeded", 3, 200)
    assert row.next_attempt_at is None

    requests = receiver.to(path)
    assert len(requests) == 3
    assert all(valid(request, created.secret) for request in requests)
    assert len({request.body for request in requests}) == 1  # the same event every time

    detail = await webhook_queries.get_delivery(admin_viewer, row.id)
    assert [attempt.response_status for attempt in detail.attempts] == [500, 500, 200]
    assert [attempt.response_body for attempt in detail.attempts] == [
        "receiver says no",
        "receiver says no",
        "ok",
    ]
    assert [attempt.error for attempt in detail.attempts] == ["HTTP 500", "HTTP 500", None]
    assert all(attempt.duration_ms >= 0 for attempt in detail.attempts)
    assert detail.delivery.duration_ms is not None


async def test_a_failing_endpoint_does_not_hold_up_the_others(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    receiver.always[f"/down-{unique}"] = 503
    down = await register(admin_viewer, endpoints, receiver.url(f"/down-{unique}"), "stock.low")
    up = await register(admin_viewer, endpoints, receiver.url(f"/up-{unique}"), "stock.low")
    unreachable = await register(
        admin_viewer, endpoints, "http://127.0.0.1:9/nobody-listens", "stock.low"
    )
    event = await committed(
        LowStock(
            aggregate_id=str(uuid.uuid4()),
            sku=f"SKU-{unique}",
            product_name="Kettle",
            quantity=2,
            threshold=5,
        )
    )
    await deliver_to_webhooks(event)
    await delivery.send_due_deliveries()

    assert (await one_delivery(event, up.endpoint.id)).status == "succeeded"
    assert (await one_delivery(event, down.endpoint.id)).response_status == 503
    refused = await one_delivery(event, unreachable.endpoint.id)
    assert refused.status == "pending"
    assert refused.response_status is None
    assert "ConnectError" in (refused.last_error or "")
    [request] = receiver.to(f"/up-{unique}")
    assert request.json()["data"]["sku"] == f"SKU-{unique}"


async def test_a_delivery_that_keeps_failing_gives_up_and_a_manual_retry_sends_it_again(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    path = f"/broken-{unique}"
    receiver.always[path] = 500
    created = await register(admin_viewer, endpoints, receiver.url(path), "order.paid")
    event = await committed(order_paid(unique))
    await deliver_to_webhooks(event)

    for attempt in range(delivery.MAX_ATTEMPTS):
        await delivery.send_due_deliveries(now=utcnow() + timedelta(hours=8 * attempt))
    row = await one_delivery(event, created.endpoint.id)
    assert (row.status, row.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert len(receiver.to(path)) == delivery.MAX_ATTEMPTS
    await delivery.send_due_deliveries(now=utcnow() + timedelta(days=30))
    assert len(receiver.to(path)) == delivery.MAX_ATTEMPTS  # given up: nothing more

    del receiver.always[path]  # the receiver is fixed
    retried = await webhooks.retry_delivery(admin_viewer, row.id)
    assert (retried.status, retried.attempts) == ("pending", 0)
    with pytest.raises(DeliveryAlreadyScheduledError):
        await webhooks.retry_delivery(admin_viewer, row.id)
    await delivery.send_due_deliveries()

    row = await one_delivery(event, created.endpoint.id)
    assert (row.status, row.attempts, row.response_status) == ("succeeded", 1, 200)
    assert len(receiver.to(path)) == delivery.MAX_ATTEMPTS + 1
    assert valid(receiver.to(path)[-1], created.secret)
    detail = await webhook_queries.get_delivery(admin_viewer, row.id)
    assert len(detail.attempts) == delivery.MAX_ATTEMPTS + 1  # the log keeps every round


async def test_a_batch_of_changed_products_is_one_delivery_listing_their_ids(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], receiver: Receiver, unique: str
) -> None:
    created = await register(
        admin_viewer, endpoints, receiver.url(f"/catalog-{unique}"), "products.changed"
    )
    product_ids = [str(uuid.uuid4()) for _ in range(3)]
    event = await committed(
        ProductsChanged(aggregate_id="catalog", product_ids=product_ids, reason="import")
    )
    await deliver_to_webhooks(event)
    await delivery.send_due_deliveries()
    [request] = receiver.to(f"/catalog-{unique}")
    assert valid(request, created.secret)
    body = request.json()
    assert body["type"] == "products.changed"
    assert body["data"] == {"product_ids": product_ids, "reason": "import"}


def test_every_offered_event_type_is_handed_to_the_webhooks() -> None:
    routed = {
        event.event_type
        for event, handlers in EVENT_HANDLERS.items()
        if deliver_to_webhooks in handlers
    }
    assert routed == set(WEBHOOK_EVENT_TYPES.values())


# ---------------------------------------------------------------- signatures


def test_a_signature_verifies_only_for_its_body_secret_and_time() -> None:
    secret = webhooks.new_secret()
    body = b'{"id":"1","type":"order.paid"}'
    header = sign(secret, body)
    assert verify_signature(body, header, secret)

    assert not verify_signature(body, header, webhooks.new_secret())  # wrong secret
    assert not verify_signature(body.replace(b"1", b"2"), header, secret)  # tampered body
    forged = header.split(",v1=")[0] + ",v1=" + "0" * 64
    assert not verify_signature(body, forged, secret)  # forged signature
    assert not verify_signature(body, "garbage", secret)
    assert not verify_signature(body, header.split(",")[0], secret)  # no signature at all

    old = sign(secret, body, timestamp=int(time.time()) - 301)
    assert not verify_signature(body, old, secret)  # replayed too late
    assert verify_signature(body, old, secret, tolerance_seconds=600)
    # The timestamp is signed too: moving it forward breaks the signature.
    moved = old.replace(old.split(",")[0], f"t={int(time.time())}")
    assert not verify_signature(body, moved, secret)
    # While a secret is rotated, either of two signatures may match.
    both = header + ",v1=" + sign(webhooks.new_secret(), body).split("v1=")[1]
    assert verify_signature(body, both, secret)


# ---------------------------------------------------------------- who may, and what


async def test_only_admins_manage_webhooks_and_a_refusal_writes_nothing(
    admin_viewer: Viewer, shopper_viewer: Viewer, endpoints: list[uuid.UUID], unique: str
) -> None:
    created = await register(admin_viewer, endpoints, "https://example.com/hook", "order.paid")
    before = await endpoint_count()
    for actor in (shopper_viewer, None):
        with pytest.raises(PermissionDeniedError):
            await webhooks.create_endpoint(
                actor, url="https://example.com/other", event_types=["order.paid"]
            )
        with pytest.raises(PermissionDeniedError):
            await webhooks.update_endpoint(actor, created.endpoint.id, url="https://evil.test/")
        with pytest.raises(PermissionDeniedError):
            await webhooks.delete_endpoint(actor, created.endpoint.id)
        with pytest.raises(PermissionDeniedError):
            await webhook_queries.list_endpoints(actor)
        with pytest.raises(PermissionDeniedError):
            await webhook_queries.list_deliveries(actor, created.endpoint.id)
        with pytest.raises(PermissionDeniedError):
            await webhooks.retry_delivery(actor, uuid.uuid4())
    assert await endpoint_count() == before
    assert (await webhook_queries.get_endpoint(admin_viewer, created.endpoint.id)).url == (
        "https://example.com/hook"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain http off this machine
        "ftp://example.com/hook",
        "example.com/hook",
        "https://user:pass@example.com/hook",
        "https:///no-host",
        "https://example.com/hook#part",
        "https://example.com:99999/hook",
        "https://example.com/" + "x" * 2000,
    ],
)
async def test_unsafe_or_malformed_urls_are_refused(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], url: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await register(admin_viewer, endpoints, url, "order.paid")
    assert "url" in refused.value.field_errors


async def test_plain_http_to_localhost_only_outside_production(
    admin_viewer: Viewer, endpoints: list[uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    await register(admin_viewer, endpoints, "http://localhost:8080/hook", "order.paid")
    monkeypatch.setattr(webhooks, "get_settings", lambda: SimpleNamespace(is_production=True))
    with pytest.raises(InvalidInputError):
        await register(admin_viewer, endpoints, "http://localhost:8080/hook", "order.paid")
    await register(admin_viewer, endpoints, "https://example.com/hook", "order.paid")


async def test_event_types_come_from_the_fixed_list(
    admin_viewer: Viewer, endpoints: list[uuid.UUID]
) -> None:
    for event_types in ([], ["order.exploded"]):
        with pytest.raises(InvalidInputError) as refused:
            await register(admin_viewer, endpoints, "https://example.com/hook", *event_types)
        assert "event_types" in refused.value.field_errors


# ---------------------------------------------------------------- the API


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
        yield client


async def bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


ENDPOINTS = "/api/v1/webhooks/endpoints"


async def test_api_refuses_strangers_and_non_admins(
    client: httpx.AsyncClient, shopper_viewer: Viewer
) -> None:
    body = {"url": "https://example.com/hook", "event_types": ["order.paid"]}
    before = await endpoint_count()
    anonymous = await client.post(ENDPOINTS, json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    shopper = await bearer(shopper_viewer)
    assert (await client.post(ENDPOINTS, json=body, headers=shopper)).status_code == 403
    assert (await client.get(ENDPOINTS, headers=shopper)).status_code == 403
    assert (await client.get(ENDPOINTS)).status_code == 401
    retry = f"/api/v1/webhooks/deliveries/{uuid.uuid4()}/retry"
    assert (await client.post(retry, headers=shopper)).status_code == 403
    assert await endpoint_count() == before


async def test_api_manages_an_endpoint_from_creation_to_deletion(
    client: httpx.AsyncClient,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    endpoints: list[uuid.UUID],
) -> None:
    admin = await bearer(admin_viewer)
    bad_url = await client.post(
        ENDPOINTS,
        json={"url": "http://example.com/hook", "event_types": ["order.paid"]},
        headers=admin,
    )
    assert bad_url.status_code == 400
    assert "url" in bad_url.json()["errors"]
    bad_type = await client.post(
        ENDPOINTS,
        json={"url": "https://example.com/hook", "event_types": ["order.exploded"]},
        headers=admin,
    )
    assert bad_type.status_code == 400
    assert any(name.startswith("event_types") for name in bad_type.json()["errors"])

    created = await client.post(
        ENDPOINTS,
        json={
            "url": "https://example.com/hook",
            "event_types": ["order.paid", "order.placed"],
            "description": "ERP",
        },
        headers=admin,
    )
    assert created.status_code == 201
    endpoint = created.json()
    endpoints.append(uuid.UUID(endpoint["id"]))
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["event_types"] == ["order.paid", "order.placed"]
    assert created.headers["location"] == f"{ENDPOINTS}/{endpoint['id']}"
    one = f"{ENDPOINTS}/{endpoint['id']}"

    listed = await client.get(ENDPOINTS, headers=admin)
    assert listed.status_code == 200
    [mine] = [item for item in listed.json() if item["id"] == endpoint["id"]]
    assert "secret" not in mine  # shown once only
    assert "secret" not in (await client.get(one, headers=admin)).json()

    patched = await client.patch(
        one, json={"event_types": ["stock.low"], "is_active": False}, headers=admin
    )
    assert patched.status_code == 200
    assert (patched.json()["event_types"], patched.json()["is_active"]) == (["stock.low"], False)
    assert (await client.patch(one, json={"url": "ftp://x"}, headers=admin)).status_code == 400

    too_long = await client.post(
        f"{one}/rotate-secret", json={"keep_previous_for_hours": 10_000}, headers=admin
    )
    assert too_long.status_code == 400
    assert "keep_previous_for_hours" in too_long.json()["errors"]
    rotated = await client.post(f"{one}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != endpoint["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert "secret" not in (await client.get(one, headers=admin)).json()
    shopper_rotation = await client.post(
        f"{one}/rotate-secret", headers=await bearer(shopper_viewer)
    )
    assert shopper_rotation.status_code == 403

    deliveries = await client.get(f"{one}/deliveries?limit=10", headers=admin)
    assert deliveries.status_code == 200
    assert deliveries.json()["items"] == []
    assert deliveries.json()["pagination"]["limit"] == 10
    bad_status = await client.get(f"{one}/deliveries?status=lost", headers=admin)
    assert bad_status.status_code == 400

    assert (await client.delete(one, headers=admin)).status_code == 204
    assert (await client.get(one, headers=admin)).status_code == 404
    assert (await client.patch(one, json={"description": "x"}, headers=admin)).status_code == 404
    assert (await client.delete(one, headers=admin)).status_code == 404
    assert (await client.get(f"{one}/deliveries", headers=admin)).status_code == 404
    assert (await client.post(f"{one}/rotate-secret", headers=admin)).status_code == 404
    missing = f"/api/v1/webhooks/deliveries/{uuid.uuid4()}"
    assert (await client.get(missing, headers=admin)).status_code == 404
    assert (await client.post(f"{missing}/retry", headers=admin)).status_code == 404


async def test_api_lists_deliveries_and_retries_a_failed_one(
    client: httpx.AsyncClient,
    admin_viewer: Viewer,
    endpoints: list[uuid.UUID],
    receiver: Receiver,
    unique: str,
) -> None:
    path = f"/api-{unique}"
    receiver.always[path] = 500
    created = await register(admin_viewer, endpoints, receiver.url(path), "order.paid")
    event = await committed(order_paid(unique))
    await deliver_to_webhooks(event)
    for attempt in range(delivery.MAX_ATTEMPTS):
        await delivery.send_due_deliveries(now=utcnow() + timedelta(hours=8 * attempt))
    del receiver.always[path]

    admin = await bearer(admin_viewer)
    listed = await client.get(
        f"{ENDPOINTS}/{created.endpoint.id}/deliveries?status=failed", headers=admin
    )
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["status"], item["response_status"]) == ("failed", 500)
    assert item["event_id"] == str(event.event_id)
    assert item["duration_ms"] is not None

    detail = await client.get(f"/api/v1/webhooks/deliveries/{item['id']}", headers=admin)
    assert detail.status_code == 200
    assert len(detail.json()["attempt_log"]) == delivery.MAX_ATTEMPTS

    retry = f"/api/v1/webhooks/deliveries/{item['id']}/retry"
    retried = await client.post(retry, headers=admin)
    assert retried.status_code == 202
    assert retried.json()["status"] == "pending"
    assert (await client.post(retry, headers=admin)).status_code == 409  # already queued
    await delivery.send_due_deliveries()
    assert receiver.to(path)[-1].json()["id"] == str(event.event_id)
    async with session_scope() as session:
        status = (
            await session.exec(
                select(WebhookDelivery.status).where(col(WebhookDelivery.id) == item["id"])
            )
        ).one()
    assert status == "succeeded"


# ---------------------------------------------------------------- through the real worker


async def test_the_worker_delivers_a_committed_event_from_the_outbox(
    admin_viewer: Viewer,
    endpoints: list[uuid.UUID],
    receiver: Receiver,
    unique: str,
    tmp_path: Path,
) -> None:
    from tests.fixtures.waiting import eventually
    from tests.fixtures.workers import FAST_RETRIES, running_worker, settle_outbox

    # order.cancelled: its only handler is the webhooks' one.
    path = f"/live-{unique}"
    created = await register(admin_viewer, endpoints, receiver.url(path), "order.cancelled")
    await settle_outbox()
    with running_worker(tmp_path / "worker.log", **FAST_RETRIES):
        event = await committed(
            OrderCancelled(
                aggregate_id=str(uuid.uuid4()),
                order_number=f"KG-{unique}",
                email=f"buyer-{unique}@example.com",
                reason="unpaid",
            )
        )
        [request] = await eventually(lambda: receiver.to(path), within=30)
    assert valid(request, created.secret)
    assert request.json()["id"] == str(event.event_id)
    assert request.json()["type"] == "order.cancelled"
