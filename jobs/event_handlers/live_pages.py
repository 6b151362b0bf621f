"""Open pages follow what changed: the product pages, carts and order pages showing it
(backend/live/topics.py)."""

from __future__ import annotations

from backend.events.base import DomainEvent
from backend.live import topics as live


async def tell_open_pages(event: DomainEvent) -> None:
    # Safe to repeat: an announcement only makes open pages re-read what they show.
    await live.announce(live.topics_of(event))
