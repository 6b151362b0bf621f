"""Sending deliveries: claim the due ones, POST each (signed) with httpx, log the outcome
and schedule the next attempt with backoff, or give up.

A claim pushes `next_attempt_at` forward by a lease, in the same statement that locks
the rows (SKIP LOCKED), so overlapping senders never take the same delivery; a sender
that dies mid-way leaves its deliveries to be tried again when the lease ends
(at-least-once: receivers deduplicate by the `Kestrel-Event-Id` header).

The request body:
    {"id": <event id>, "type": "order.paid", "occurred_at": <ISO 8601>,
     "object_id": <the order's / product's id; "catalog" for products.changed>,
     "data": <the event's fields>}
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.models import OutboxEvent
from backend.observability.tracing import continued_span
from backend.webhooks.errors import DestinationRefusedError
from backend.webhooks.locks import lock_due_deliveries_for_update
from backend.webhooks.models import WebhookAttempt, WebhookDelivery
from backend.webhooks.signing import SIGNATURE_HEADER, sign
from backend.webhooks.transport import CheckedAddressTransport

# Waits after the 1st, 2nd, … failed attempt; after the last one the delivery has failed
# (an admin can retry it by hand).
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
REQUEST_TIMEOUT_SECONDS = 10.0
# Longer than a batch can take, so a claim never lapses while its request is running.
CLAIM_LEASE = timedelta(minutes=2)
BATCH_SIZE = 20
CONCURRENCY = 10
MAX_RESPONSE_BODY_CHARS = 2000
MAX_ERROR_CHARS = 1000
USER_AGENT = "Kestrel-Webhooks/1.0"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimedDelivery:
    id: uuid.UUID
    attempt: int
    url: str
    secret: str
    previous_secret: str | None  # still signing: its rotation's grace period runs
    event_id: uuid.UUID
    event_type: str
    body: bytes
    # The event's stored trace context: the delivery's span continues the event's trace.
    trace_context: dict[str, str] | None = None


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    response_status: int | None
    response_body: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


def event_body(event: OutboxEvent, public_type: str) -> bytes:
    document: dict[str, Any] = {
        "id": str(event.id),
        "type": public_type,
        "occurred_at": event.occurred_at.isoformat(),
        "object_id": event.aggregate_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait after failed attempt number `attempt`; None: give up."""
    return RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else None


async def claim_due_deliveries(
    *, now: datetime | None = None, limit: int = BATCH_SIZE
) -> list[ClaimedDelivery]:
    """Take up to `limit` deliveries due at `now` whose endpoint is active, counting one
    attempt each and leasing them for CLAIM_LEASE."""
    at = now or utcnow()
    claimed: list[ClaimedDelivery] = []
    async with session_scope() as session:
        due = await lock_due_deliveries_for_update(session, now=at, limit=limit)
        for delivery, url, secret, previous_secret, event in due:
            delivery.attempts += 1
            delivery.next_attempt_at = at + CLAIM_LEASE
            claimed.append(
                ClaimedDelivery(
                    id=delivery.id,
                    attempt=delivery.attempts,
                    url=url,
                    secret=secret,
                    previous_secret=previous_secret,
                    event_id=event.id,
                    event_type=delivery.event_type,
                    body=event_body(event, delivery.event_type),
                    trace_context=event.trace_context,
                )
            )
    return claimed


def delivery_client(*, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """The client deliveries are sent with: it connects only to addresses it checked
    (`transport.py`), follows no redirects and reads no proxy settings."""
    return httpx.AsyncClient(
        transport=CheckedAddressTransport(verify=verify),
        timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS),
        follow_redirects=False,
        trust_env=False,
    )


async def post_delivery(claimed: ClaimedDelivery, client: httpx.AsyncClient) -> Outcome:
    """One signed POST through a `delivery_client`. Never raises for the receiver's
    failures (nor a refused destination): they are the outcome."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(
            claimed.secret,
            claimed.body,
            also_with=(claimed.previous_secret,) if claimed.previous_secret else (),
        ),
        "Kestrel-Event-Id": str(claimed.event_id),
        "Kestrel-Event-Type": claimed.event_type,
        "Kestrel-Delivery-Id": str(claimed.id),
    }
    started_at = utcnow()
    started = time.perf_counter()
    status: int | None = None
    body: str | None = None
    error: str | None = None
    try:
        # httpx's timeout is per read; this bounds a receiver that answers drop by drop.
        async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS + 2):
            async with client.stream(
                "POST", claimed.url, content=claimed.body, headers=headers
            ) as response:
                status = response.status_code
                body = await _read_capped(response)
    except DestinationRefusedError as refused:
        # Raised by the transport before any connection: nothing was sent.
        error = f"Not sent: {refused}"[:MAX_ERROR_CHARS]
    except TimeoutError:
        error = "Timed out"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}".strip()[:MAX_ERROR_CHARS]
    duration_ms = round((time.perf_counter() - started) * 1000)
    if status is not None and not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(
        started_at=started_at,
        duration_ms=duration_ms,
        response_status=status,
        response_body=body,
        error=error,
    )


async def _read_capped(response: httpx.Response) -> str:
    # Only the start of the answer is kept: a receiver may send back anything.
    limit = MAX_RESPONSE_BODY_CHARS * 4  # bytes; enough for the characters kept
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks).decode("utf-8", errors="replace")[:MAX_RESPONSE_BODY_CHARS]


async def record_outcome(
    claimed: ClaimedDelivery, outcome: Outcome, *, now: datetime | None = None
) -> str:
    """Log the attempt and move the delivery on: succeeded, retried later, or failed.
    Returns the delivery's new status."""
    at = now or utcnow()
    if outcome.succeeded:
        status, next_attempt_at = "succeeded", None
    else:
        delay = retry_delay(claimed.attempt)
        status, next_attempt_at = ("pending", at + delay) if delay else ("failed", None)
    async with session_scope() as session:
        session.add(
            WebhookAttempt(
                delivery_id=claimed.id,
                started_at=outcome.started_at,
                response_status=outcome.response_status,
                response_body=outcome.response_body,
                duration_ms=outcome.duration_ms,
                error=outcome.error,
            )
        )
        # Only while the claim is still ours: a manual retry or a lapsed lease since then
        # has started another round, which this outcome must not overwrite.
        await session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == claimed.id,
                col(WebhookDelivery.status) == "pending",
                col(WebhookDelivery.attempts) == claimed.attempt,
            )
            .values(
                status=status,
                next_attempt_at=next_attempt_at,
                last_attempt_at=outcome.started_at,
                response_status=outcome.response_status,
                duration_ms=outcome.duration_ms,
                last_error=outcome.error,
                updated_at=utcnow(),
            )
        )
    return status


async def send_due_deliveries(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Send what is due (the worker's cron job). Requests run side by side, so one slow
    or failing endpoint does not hold up the others. Returns the number of attempts."""
    claimed = await claim_due_deliveries(now=now, limit=limit)
    if not claimed:
        return 0
    gate = asyncio.Semaphore(CONCURRENCY)
    async with delivery_client() as client:

        async def send(delivery: ClaimedDelivery) -> None:
            with continued_span(
                f"webhook delivery {delivery.event_type}",
                delivery.trace_context,
                {
                    "shop.webhook.delivery_id": str(delivery.id),
                    "shop.webhook.attempt": delivery.attempt,
                    "shop.event.id": str(delivery.event_id),
                },
            ) as delivery_span:
                async with gate:
                    outcome = await post_delivery(delivery, client)
                if (status := outcome.response_status) is not None:
                    delivery_span.set_attribute("http.response.status_code", status)
                await record_outcome(delivery, outcome, now=now)

        results = await asyncio.gather(
            *(send(delivery) for delivery in claimed), return_exceptions=True
        )
    for delivery, result in zip(claimed, results, strict=True):
        if isinstance(result, BaseException):
            # Its lease runs out and the delivery is tried again then.
            logger.error("webhook delivery %s not recorded: %r", delivery.id, result)
    return len(claimed)
