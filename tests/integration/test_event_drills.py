"""Failure drills: the worker dies mid-send, Redis goes away. No e-mail is lost or doubled.

Slow by nature (a dead worker's job is re-run only after its timeout), so marked `slow`;
they are part of the full run.
"""

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from backend.accounts import registration
from backend.core.db import session_scope
from backend.core.heartbeat import HEARTBEAT_KEY
from backend.core.redis import get_redis
from backend.events.models import OutboxEvent
from backend.settings import get_settings
from devstack.services import RedisServer
from tests.fixtures.mail import SmtpServer, free_port
from tests.fixtures.waiting import eventually
from tests.fixtures.workers import (
    FAST_RETRIES,
    settle_outbox,
    start_worker,
    stop_worker,
    wait_until_worker_started,
)

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"


async def _wait_for_thread_event(flag: threading.Event, within: float) -> None:
    await eventually(flag.is_set, within=within)


async def test_a_worker_killed_mid_send_has_the_job_finished_once_by_the_other_worker(
    smtp_server: SmtpServer, tmp_path: Path, unique: str
) -> None:
    email = f"crash-{unique}@example.com"
    handler = smtp_server.handler
    await settle_outbox()
    handler.rcpt_held.clear()
    handler.hold_next_rcpt = 8.0  # the SMTP conversation stalls after RCPT TO

    first = start_worker(tmp_path / "first.log", SMTP_URL=smtp_server.url, **FAST_RETRIES)
    second = None
    try:
        await registration.create_user(
            username=f"crash_{unique}", email=email, password=PASSWORD, status="pending"
        )
        await _wait_for_thread_event(handler.rcpt_held, within=15)
        # The first worker is mid-job; a second one runs beside it, as in production.
        await get_redis().delete(HEARTBEAT_KEY)  # written again by the second's start-up
        second = start_worker(tmp_path / "second.log", SMTP_URL=smtp_server.url, **FAST_RETRIES)
        await wait_until_worker_started(get_settings().redis_url)
    finally:
        stop_worker(first, kill=True)  # SIGKILL in the middle of the SMTP conversation

    try:
        # The dead worker's job is taken up by the other once its lease (timeout) runs out.
        await eventually(lambda: handler.to(email), within=60)
        await asyncio.sleep(2.0)
    finally:
        if second is not None:
            stop_worker(second)
    assert len(handler.to(email)) == 1
    assert "send_email_verification" in (tmp_path / "second.log").read_text()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_redis_down_while_a_change_commits_keeps_the_event_and_mails_it_later(
    smtp_server: SmtpServer, private_redis: RedisServer, tmp_path: Path, unique: str
) -> None:
    email = f"outage-{unique}@example.com"
    await settle_outbox()
    worker = start_worker(
        tmp_path / "worker.log",
        SMTP_URL=smtp_server.url,
        REDIS_URL=private_redis.url(0),
        **FAST_RETRIES,
    )
    try:
        await wait_until_worker_started(private_redis.url(0))
        private_redis.stop()

        user_id = await registration.create_user(
            username=f"outage_{unique}", email=email, password=PASSWORD, status="pending"
        )
        # Long enough for the queue side to give up on Redis and wait for it to return.
        await asyncio.sleep(8.0)
        async with session_scope() as session:
            pending = (
                await session.exec(
                    select(OutboxEvent).where(OutboxEvent.aggregate_id == str(user_id))
                )
            ).all()
        assert {e.event_type for e in pending} == {"UserRegistered", "EmailVerificationRequested"}
        assert all(e.dispatched_at is None for e in pending)
        assert smtp_server.handler.to(email) == []

        private_redis.start()
        await eventually(lambda: smtp_server.handler.to(email), within=60)
        assert worker.poll() is None, "the worker must outlive the outage"
    finally:
        stop_worker(worker)
    assert len(smtp_server.handler.to(email)) == 1
