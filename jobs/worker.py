"""The worker process: `python -m jobs`.

It runs two things side by side: the outbox relay (PostgreSQL → Redis queue) and the arq
worker (Redis queue → jobs). Either rides out a database or Redis outage and carries on
when the service returns. Jobs are thin adapters over backend services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from arq.worker import create_worker
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from backend.cart_recovery import reminders as cart_reminders
from backend.catalog import queries as catalog
from backend.core.clock import utcnow
from backend.core.db import dispose_engine
from backend.core.health import check_database
from backend.core.heartbeat import record_worker_heartbeat
from backend.core.redis import close_redis
from backend.demo.published_accounts import refuse_published_demo_accounts_in_production
from backend.drafts import services as drafts
from backend.giftcards import delivery as gift_card_expiry
from backend.observability.logging_setup import configure_logging
from backend.observability.tracing import setup_tracing
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments import test_gateway
from backend.payments.gateway import GatewayEvent
from backend.search.services import ensure_index
from backend.settings import get_settings
from backend.shop_settings.values import keep_settings_fresh
from backend.webhooks import delivery as webhook_delivery
from jobs.event_handlers import gift_card_delivery
from jobs.events import OUTAGE_RETRIES, handle_event_job
from jobs.operations_server import serve_operations
from jobs.relay import run_relay

logger = logging.getLogger("jobs.worker")

RESTART_BACKOFF_MAX_SECONDS = 10.0


async def health_check_job(ctx: dict[str, Any]) -> dict[str, object]:
    """Proves the worker reaches PostgreSQL: returns what it read there."""
    await check_database()
    counts = await catalog.get_catalog_counts()
    return {"database": "ok", "active_products": counts.active_products}


async def record_heartbeat_job(ctx: dict[str, Any]) -> str:
    return (await record_worker_heartbeat()).isoformat()


async def expire_unpaid_orders_job(ctx: dict[str, Any]) -> int:
    """Cancel orders left unpaid too long and return their stock."""
    return await orders.expire_unpaid_orders()


async def expire_stale_drafts_job(ctx: dict[str, Any]) -> int:
    """Expire draft orders nobody touched for a month."""
    return await drafts.expire_stale_drafts()


async def settle_test_payments_job(ctx: dict[str, Any]) -> int:
    """The built-in test gateway's "later" payments: announce the ones now due, through
    the same path as a provider's webhook."""
    settled = 0
    for reference in await test_gateway.due_settlements():
        event = GatewayEvent(
            id=f"test_evt_{reference}",
            type="payment_intent.succeeded",
            reference=reference,
            status="succeeded",
            occurred_at=utcnow(),
        )
        if await payments.apply_gateway_event(event, gateway=test_gateway.TestGateway.name):
            settled += 1
    return settled


async def send_webhook_deliveries_job(ctx: dict[str, Any]) -> int:
    """Send the webhook deliveries now due (new ones, and retries after their backoff)."""
    return await webhook_delivery.send_due_deliveries()


async def send_cart_reminders_job(ctx: dict[str, Any], *, now: str | None = None) -> int:
    """Send each abandoned cart its one reminder. `now` (ISO 8601) stands in for the clock:
    operators and tests can run the job "later" without waiting."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (await cart_reminders.send_due_reminders(moment)).sent


async def deliver_gift_cards_job(ctx: dict[str, Any]) -> int:
    """E-mail the gift cards whose day has come (and retry those whose sending failed)."""
    return await gift_card_delivery.deliver_due()


async def expire_gift_cards_job(ctx: dict[str, Any]) -> int:
    """Write off what gift cards past their expiry date still hold."""
    return await gift_card_expiry.expire_balances()


async def _startup(ctx: dict[str, Any]) -> None:
    await record_worker_heartbeat()


async def _before_job(ctx: dict[str, Any]) -> None:
    await keep_settings_fresh()  # e-mails show the shop's name and number format in force


async def _build_search_index_if_missing() -> None:
    """A fresh install has no index yet: build it once, in the background."""
    try:
        if await ensure_index():
            logger.info("built the search index")
    except Exception:
        logger.exception("could not build the search index (run python -m backend.search.reindex)")


_settings = get_settings()


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        handle_event_job,
        health_check_job,
        record_heartbeat_job,
        send_cart_reminders_job,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(record_heartbeat_job, second={0, 30}, unique=True, run_at_startup=False),
        cron(expire_unpaid_orders_job, second={15}, unique=True, run_at_startup=True),
        cron(expire_stale_drafts_job, minute={5}, second={20}, unique=True),
        cron(settle_test_payments_job, second=set(range(60)), unique=True),
        cron(send_webhook_deliveries_job, second=set(range(60)), unique=True),
        cron(send_cart_reminders_job, second={40}, unique=True),
        cron(deliver_gift_cards_job, second={50}, unique=True),
        cron(expire_gift_cards_job, minute={5}, second={5}, unique=True),
    ]
    on_startup = _startup
    on_job_start = _before_job
    redis_settings = RedisSettings.from_dsn(_settings.redis_url)
    job_timeout = _settings.worker_job_timeout_seconds
    # Event jobs count their own attempts and dead-letter themselves; this only stops a job
    # that keeps killing its worker from running forever, and leaves room for the retries
    # of a job that could not reach PostgreSQL (about half an hour of outage, see
    # jobs/events.py).
    max_tries = _settings.event_max_attempts + OUTAGE_RETRIES
    max_jobs = 20
    # How often an idle worker checks the queue: part of the event-to-e-mail latency.
    poll_delay = 0.2


async def _run_arq_until(stop: asyncio.Event) -> None:
    """Run the arq worker; when Redis goes away, wait and start it again."""
    backoff = 1.0
    while not stop.is_set():
        worker = create_worker(WorkerSettings, handle_signals=False)  # type: ignore[arg-type]  # arq's settings protocol declares instance attributes; ours are ClassVars
        running = asyncio.create_task(worker.async_run())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        failure = None if not running.done() or running.cancelled() else running.exception()
        with contextlib.suppress(Exception):
            await worker.close()  # cancels what still runs; those jobs are retried later
        if stop.is_set():
            return
        if failure is not None and not isinstance(failure, RedisError | OSError):
            raise failure
        logger.warning("worker lost Redis (%s); restarting in %.0f s", failure, backoff)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)
        backoff = min(backoff * 2, RESTART_BACKOFF_MAX_SECONDS)


async def _checked_before_serving(stop: asyncio.Event) -> bool:
    """Production fails closed: no jobs while published demo passwords still sign in
    (PublishedDemoAccountsError ends the process). A database not reachable yet is waited
    for, as everywhere in the worker. False when told to stop meanwhile."""
    backoff = 1.0
    while not stop.is_set():
        try:
            await refuse_published_demo_accounts_in_production()
            return True
        except (OSError, SQLAlchemyError) as error:
            logger.warning("start-up check cannot reach PostgreSQL (%s); retrying", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)
        backoff = min(backoff * 2, RESTART_BACKOFF_MAX_SECONDS)
    return False


async def serve() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    ready = False
    try:
        ready = await _checked_before_serving(stop)
    finally:
        if not ready:
            await dispose_engine()
    if not ready:
        return
    relay = asyncio.create_task(run_relay(stop))
    operations = asyncio.create_task(serve_operations(stop))
    indexing = asyncio.create_task(
        _build_search_index_if_missing()
        if get_settings().build_search_index_on_start
        else asyncio.sleep(0)
    )
    try:
        await _run_arq_until(stop)
    finally:
        stop.set()
        indexing.cancel()
        await asyncio.gather(relay, indexing, operations, return_exceptions=True)
        await dispose_engine()
        await close_redis()


def main() -> None:
    configure_logging()  # JSON or text lines on stdout, for the worker and its relay
    setup_tracing("shop-worker")  # only with OTEL_EXPORTER_OTLP_ENDPOINT set
    asyncio.run(serve())
