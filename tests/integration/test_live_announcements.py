"""The announcements that keep open pages live: which events name which topics, and that
an announcement reaches every subscriber of the channel (web processes) through Redis."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from backend.catalog.events import ProductChanged, ProductsChanged
from backend.core.redis import get_redis
from backend.events.base import DomainEvent
from backend.inventory.events import InventoryUpdated
from backend.live import topics as live
from backend.orders.events import OrderCancelled, OrderFulfilled
from backend.payments.events import PaymentRefunded
from backend.stock_notices.events import BackInStockNoticeDue
from jobs.event_handlers.live_pages import tell_open_pages

PRODUCT = str(uuid.uuid4())


def test_product_and_order_events_name_their_topics() -> None:
    events: list[tuple[DomainEvent, list[str]]] = [
        (
            InventoryUpdated(aggregate_id=PRODUCT, sku="S", quantity=0, change=-1, reason="order"),
            [f"product:{PRODUCT}"],
        ),
        (
            ProductChanged(aggregate_id=PRODUCT, change="updated", sku="S"),
            [f"product:{PRODUCT}"],
        ),
        (
            ProductsChanged(aggregate_id="catalog", product_ids=[PRODUCT, "p2"], reason="import"),
            [f"product:{PRODUCT}", "product:p2"],
        ),
        (
            OrderCancelled(aggregate_id="o", order_number="KG-1", email="a@b.c", reason="x"),
            ["order:KG-1"],
        ),
        (
            OrderFulfilled(
                aggregate_id="o",
                order_number="KG-2",
                email="a@b.c",
                customer_name="A",
                carrier="DHL",
                tracking_number="1",
            ),
            ["order:KG-2"],
        ),
        (
            PaymentRefunded(
                aggregate_id="o",
                order_number="KG-3",
                email="a@b.c",
                customer_name="A",
                amount=Decimal("1.00"),
                currency="USD",
                full_refund=True,
            ),
            ["order:KG-3"],
        ),
    ]
    for event, topics in events:
        assert live.topics_of(event) == topics, event.event_type


def test_an_announcement_is_only_a_list_of_topic_names() -> None:
    assert live.parse_announcement('["product:1", "order:KG-1"]') == ["product:1", "order:KG-1"]
    assert live.parse_announcement('{"product": 1}') == []
    assert live.parse_announcement("not json") == []
    assert live.parse_announcement('["product:1", 7, "' + "x" * 200 + '"]') == ["product:1"]


async def test_a_handled_event_reaches_every_listening_web_process() -> None:
    listeners = [get_redis().pubsub(ignore_subscribe_messages=True) for _ in range(2)]
    for listener in listeners:
        await listener.subscribe(live.channel())
    try:
        await tell_open_pages(
            InventoryUpdated(aggregate_id=PRODUCT, sku="S", quantity=3, change=2, reason="restock")
        )
        for listener in listeners:
            message = await _next_message(listener)
            assert live.parse_announcement(message) == [f"product:{PRODUCT}"]
        # An event no open page shows announces nothing.
        await tell_open_pages(
            BackInStockNoticeDue(
                aggregate_id=str(uuid.uuid4()),
                email="a@b.c",
                product_name="Lamp",
                product_slug="lamp",
                price=Decimal("5.00"),
                currency="USD",
            )
        )
        assert await listeners[0].get_message(timeout=0.3) is None
    finally:
        for listener in listeners:
            await listener.aclose()


async def _next_message(listener: object) -> str:
    async def wait() -> str:
        while True:
            message = await listener.get_message(timeout=1.0)  # type: ignore[attr-defined]
            if message is not None:
                return str(message["data"])

    return await asyncio.wait_for(wait(), timeout=5)


def test_each_redis_database_has_a_channel_of_its_own() -> None:
    assert live.channel_for("redis://127.0.0.1:6379/0") == "shop:live:0"
    assert live.channel_for("redis://127.0.0.1:6379") == "shop:live:0"
    assert live.channel_for("rediss://user:secret@cache:6380/3") == "shop:live:3"
