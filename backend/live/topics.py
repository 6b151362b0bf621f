"""What an open page can watch, and which events change it.

A topic names one thing a page shows: a product (its price, its variants' stock) or an
order (its timeline). An event's handler announces the topics it touched on one Redis
pub/sub channel; every web process hears each announcement once and refreshes only the
pages its own open tabs watch (ui/live.py). An announcement carries no data, only "this
changed": the page re-reads it through the same queries as on load, with the same
ownership checks, so a missed or repeated announcement is harmless.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from backend.catalog.events import ProductChanged, ProductsChanged
from backend.core.redis import get_redis
from backend.events.base import DomainEvent
from backend.inventory.events import InventoryUpdated
from backend.orders.events import OrderCancelled, OrderFulfilled, OrderPaid
from backend.payments.events import PaymentRefunded
from backend.settings import get_settings

# The events that change what an open order page shows.
ORDER_EVENTS = (OrderPaid, OrderCancelled, OrderFulfilled, PaymentRefunded)


def channel_for(redis_url: str) -> str:
    """The channel of the shop using `redis_url`: pub/sub channels span a Redis server's
    numbered databases, so two shops (or test runs) on one server must not hear each
    other's announcements."""
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"shop:live:{database}"


def channel() -> str:
    return channel_for(get_settings().redis_url)


def product_topic(product_id: uuid.UUID | str) -> str:
    return f"product:{product_id}"


def order_topic(number: str) -> str:
    return f"order:{number}"


def topics_of(event: DomainEvent) -> list[str]:
    """The topics `event` changed ([] for an event no open page shows)."""
    if isinstance(event, ProductsChanged):
        return [product_topic(product_id) for product_id in event.product_ids]
    if isinstance(event, InventoryUpdated | ProductChanged):
        return [product_topic(event.aggregate_id)]
    if isinstance(event, ORDER_EVENTS):
        return [order_topic(event.order_number)]
    return []


async def announce(topics: Iterable[str]) -> int:
    """Tells every web process that `topics` changed; returns how many processes heard."""
    names = sorted(set(topics))
    if not names:
        return 0
    return int(await get_redis().publish(channel(), json.dumps(names)))


def parse_announcement(message: str) -> list[str]:
    """The topics of one announcement; [] for anything that is not a list of names."""
    try:
        topics = json.loads(message)
    except ValueError:
        return []
    if not isinstance(topics, list):
        return []
    return [topic for topic in topics if isinstance(topic, str) and len(topic) <= 100]
