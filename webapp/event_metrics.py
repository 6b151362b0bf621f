"""How long each Reflex event handler takes (`shop_reflex_event_duration_seconds`), and
how many websockets are open (`shop_websocket_connections`).

Reflex 0.10 calls no middleware after a handler (its `postprocess` hook is never run),
so the one function every handler passes through, `process_event` of Reflex's event
processor, is wrapped once at start-up; so are its namespace's connect and disconnect.
Reflex is pinned (requirements.txt): an upgrade that renames them fails here loudly at
start, never silently.
"""

from __future__ import annotations

import time
from typing import Any

from reflex_base.event.processor import base_state_processor

from backend.observability.metrics import WEBSOCKET_CONNECTIONS, observe_event

_WRAPPED = "_shop_timed"


def instrument_reflex_events() -> None:
    original = base_state_processor.process_event
    if getattr(original, _WRAPPED, False):
        return

    async def timed(*args: Any, **kwargs: Any) -> Any:
        handler = kwargs.get("handler", args[0] if args else None)
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            owner = getattr(handler, "state", None)
            name = getattr(getattr(handler, "fn", None), "__name__", "(unknown)")
            observe_event(
                f"{getattr(owner, '__name__', '(unknown)')}.{name}", time.perf_counter() - started
            )

    setattr(timed, _WRAPPED, True)
    base_state_processor.process_event = timed  # type: ignore[assignment]


def instrument_websocket_connections() -> None:
    """`shop_websocket_connections`: each accepted Socket.IO connection of this process
    counts until it disconnects (a refused one never counts)."""
    from reflex.app import EventNamespace

    if getattr(EventNamespace.on_connect, _WRAPPED, False):
        return
    connect, disconnect = EventNamespace.on_connect, EventNamespace.on_disconnect
    open_sids: set[str] = set()

    async def on_connect(self: EventNamespace, sid: str, *args: Any, **kwargs: Any) -> Any:
        result = await connect(self, sid, *args, **kwargs)
        if result is not False and sid not in open_sids:
            open_sids.add(sid)
            WEBSOCKET_CONNECTIONS.inc()
        return result

    def on_disconnect(self: EventNamespace, sid: str) -> Any:
        if sid in open_sids:
            open_sids.discard(sid)
            WEBSOCKET_CONNECTIONS.dec()
        return disconnect(self, sid)

    setattr(on_connect, _WRAPPED, True)
    EventNamespace.on_connect = on_connect  # type: ignore[method-assign]
    EventNamespace.on_disconnect = on_disconnect  # type: ignore[method-assign]
