"""Events are written with their change, or not at all; the relay hands them on exactly once."""

import uuid

import pytest
from sqlmodel import col, select

from backend.catalog.errors import DuplicateSkuError
from backend.catalog.events import ProductChanged
from backend.core.db import session_scope
from backend.events import deliveries
from backend.events.models import EventDelivery, OutboxEvent
from backend.events.outbox import record_event
from backend.events.relay import dispatch_pending_events
from backend.events.schemas import HandlerJob
from tests.fixtures.catalog import MakeProduct


async def _stored(event_id: uuid.UUID) -> OutboxEvent | None:
    async with session_scope() as session:
        return await session.get(OutboxEvent, event_id)


async def _events_for(aggregate_id: str) -> list[str]:
    async with session_scope() as session:
        rows = await session.exec(
            select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == aggregate_id)
        )
        return list(rows)


async def test_an_event_commits_with_its_change(make_product: MakeProduct) -> None:
    product_id = await make_product()
    assert await _events_for(str(product_id)) == ["ProductChanged"]


async def _record_then_fail(event: ProductChanged) -> None:
    async with session_scope() as session:
        await record_event(session, event)
        raise RuntimeError("the business change failed")


async def test_a_rolled_back_transaction_leaves_no_event() -> None:
    event = ProductChanged(aggregate_id=str(uuid.uuid4()), change="created", sku="GONE")
    with pytest.raises(RuntimeError):
        await _record_then_fail(event)
    assert await _stored(event.event_id) is None


async def test_a_refused_change_records_no_event(make_product: MakeProduct, unique: str) -> None:
    sku = f"ONCE-{unique}"
    await make_product(sku=sku)
    with pytest.raises(DuplicateSkuError):
        await make_product(sku=sku)
    async with session_scope() as session:
        rows = await session.exec(
            select(OutboxEvent.event_type).where(OutboxEvent.payload["sku"].astext == sku)
        )
        assert list(rows) == ["ProductChanged"]  # the first product's, and no other


async def _drain(enqueue: object) -> None:
    while await dispatch_pending_events(
        handlers_for=lambda event_type: ["first", "second"],
        enqueue=enqueue,  # type: ignore[arg-type]
    ):
        pass


async def test_relay_enqueues_each_handler_once_and_marks_events_dispatched(
    make_product: MakeProduct,
) -> None:
    product_id = await make_product()
    jobs: list[HandlerJob] = []

    async def collect(batch: list[HandlerJob]) -> None:
        jobs.extend(batch)

    await _drain(collect)
    mine = [job for job in jobs if (await _stored(job.event_id)).aggregate_id == str(product_id)]  # type: ignore[union-attr]
    assert sorted(job.handler for job in mine) == ["first", "second"]
    assert len({job.job_id for job in mine}) == 2

    jobs.clear()
    await _drain(collect)
    assert jobs == []


async def test_when_the_queue_is_down_events_stay_undispatched(make_product: MakeProduct) -> None:
    product_id = await make_product()

    async def queue_down(batch: list[HandlerJob]) -> None:
        raise ConnectionError("Redis is unreachable")

    with pytest.raises(ConnectionError):
        await _drain(queue_down)
    async with session_scope() as session:
        row = (
            await session.exec(
                select(OutboxEvent).where(OutboxEvent.aggregate_id == str(product_id))
            )
        ).one()
    assert row.dispatched_at is None


async def test_a_delivery_runs_until_it_succeeds_and_never_after(make_product: MakeProduct) -> None:
    product_id = await make_product()
    event_id = (await _event_ids(str(product_id)))[0]

    first = await deliveries.start_delivery(event_id, "handler", max_attempts=3)
    assert first is not None
    assert first.attempt == 1
    assert isinstance(first.event, ProductChanged)
    await deliveries.finish_delivery(event_id, "handler")

    assert await deliveries.start_delivery(event_id, "handler", max_attempts=3) is None


async def test_a_failing_delivery_is_dead_lettered_after_the_last_attempt_and_can_be_retried(
    make_product: MakeProduct,
) -> None:
    product_id = await make_product()
    event_id = (await _event_ids(str(product_id)))[0]
    for attempt in (1, 2, 3):
        started = await deliveries.start_delivery(event_id, "flaky", max_attempts=3)
        assert started is not None
        assert started.attempt == attempt
        dead = await deliveries.fail_delivery(event_id, "flaky", error="boom", max_attempts=3)
        assert dead is (attempt == 3)
    assert await deliveries.start_delivery(event_id, "flaky", max_attempts=3) is None

    dead_letters = [d for d in await deliveries.list_dead_letters() if d.event_id == event_id]
    assert [(d.handler, d.attempts, d.last_error) for d in dead_letters] == [("flaky", 3, "boom")]

    await deliveries.redeliver(event_id, "flaky")
    assert (await _stored(event_id)).dispatched_at is None  # type: ignore[union-attr]
    again = await deliveries.start_delivery(event_id, "flaky", max_attempts=3)
    assert again is not None
    assert again.attempt == 1


async def test_a_delivery_whose_worker_keeps_dying_is_dead_lettered(
    make_product: MakeProduct,
) -> None:
    product_id = await make_product()
    event_id = (await _event_ids(str(product_id)))[0]
    for _ in range(2):  # started, then the worker died: no failure was ever recorded
        assert await deliveries.start_delivery(event_id, "crashy", max_attempts=2) is not None
    assert await deliveries.start_delivery(event_id, "crashy", max_attempts=2) is None
    async with session_scope() as session:
        delivery = (
            await session.exec(
                select(EventDelivery).where(
                    col(EventDelivery.event_id) == event_id, EventDelivery.handler == "crashy"
                )
            )
        ).one()
    assert (delivery.status, delivery.last_error) == ("dead", deliveries.WORN_OUT)


async def _event_ids(aggregate_id: str) -> list[uuid.UUID]:
    async with session_scope() as session:
        return list(
            await session.exec(
                select(OutboxEvent.id).where(OutboxEvent.aggregate_id == aggregate_id)
            )
        )
