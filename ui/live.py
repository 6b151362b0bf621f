"""Live pages on the web side: which open tabs of this process watch which topics, and
the one Redis subscription per web process that refreshes them.

A page's state calls `watch(self, topics)` when it loads (a product page its product, a
cart its lines' products, an order page its order) and implements `_refresh_live()`, an
async method whose underscore keeps it from being an event handler (no browser can call
it). When a worker announces a topic (backend/live/topics.py), `relay_live_updates`
opens the state of each tab here that watches it and calls `_refresh_live`; Reflex
sends the changed vars down that tab's websocket. No tab polls: an open tab costs one
entry in `_Watchers` until it goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import reflex as rx
from redis.exceptions import RedisError
from reflex.istate.manager.token import BaseStateToken

from backend.core.redis import get_redis
from backend.live.topics import channel, parse_announcement

logger = logging.getLogger(__name__)

RECONNECT_SECONDS = 2.0
SWEEP_SECONDS = 60.0


class _Watchers:
    """topic → {(client token, state class)}, and the reverse, for this process's tabs."""

    by_topic: dict[str, set[tuple[str, type[rx.State]]]] = defaultdict(set)
    by_tab: dict[tuple[str, type[rx.State]], set[str]] = {}


def watch(state: rx.State, topics: Iterable[str]) -> None:
    """This tab's `state` shows `topics` now (replacing what it watched before)."""
    tab = (state.router.session.client_token, type(state))
    forget_tab(tab)
    names = set(topics)
    if not names:
        return
    _Watchers.by_tab[tab] = names
    for topic in names:
        _Watchers.by_topic[topic].add(tab)


def _forget(topic: str, tab: tuple[str, type[rx.State]]) -> None:
    tabs = _Watchers.by_topic.get(topic)
    if tabs is not None:
        tabs.discard(tab)
        if not tabs:
            del _Watchers.by_topic[topic]


def forget_tab(tab: tuple[str, type[rx.State]]) -> None:
    for topic in _Watchers.by_tab.pop(tab, set()):
        _forget(topic, tab)


async def refresh_watchers(app: rx.App, topics: Iterable[str]) -> int:
    """Refreshes every tab of this process watching one of `topics`; returns how many."""
    connected = _connected_tokens(app)
    tabs = {tab for topic in topics for tab in _Watchers.by_topic.get(topic, ())}
    open_tabs = []
    for tab in tabs:
        if connected is not None and tab[0] not in connected:
            forget_tab(tab)  # the tab was closed
        else:
            open_tabs.append(tab)
    results = await asyncio.gather(*(_refresh(app, tab) for tab in open_tabs))
    return sum(results)


async def _refresh(app: rx.App, tab: tuple[str, type[rx.State]]) -> bool:
    token, state_class = tab
    try:
        async with app.modify_state(BaseStateToken(ident=token, cls=state_class)) as root:
            state: Any = await root.get_state(state_class)
            try:
                await state._refresh_live()
            except Exception:
                # Caught inside: an error leaving the state manager's block could keep the
                # tab's lock past its own events (a database restart showed it). Refreshes
                # read before they change anything, so the tab keeps what it showed.
                logger.exception("live update of a %s failed", state_class.__name__)
                return False
    except Exception:  # one tab's failure must not stop the others' updates
        logger.exception("could not open the state of a %s tab to update it", state_class.__name__)
        return False
    return True


def _connected_tokens(app: rx.App) -> set[str] | None:
    """The client tokens with a websocket on this process (None before the app runs)."""
    namespace = app.event_namespace
    if namespace is None:
        return None
    return set(namespace.token_to_sid)


def _sweep(app: rx.App) -> None:
    connected = _connected_tokens(app)
    if connected is None:
        return
    for tab in [tab for tab in _Watchers.by_tab if tab[0] not in connected]:
        forget_tab(tab)


async def relay_live_updates(app: rx.App) -> None:
    """Runs for the life of a web process: one subscription to the live channel, and
    closed tabs forgotten once a minute. Reconnects when Redis goes away."""
    while True:
        try:
            pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(channel())
            try:
                await _listen(app, pubsub)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
        except (RedisError, OSError) as error:
            logger.warning("live updates paused (Redis): %s", error)
            await asyncio.sleep(RECONNECT_SECONDS)


async def _listen(app: rx.App, pubsub: Any) -> None:
    loop = asyncio.get_running_loop()
    next_sweep = loop.time() + SWEEP_SECONDS
    while True:
        message = await pubsub.get_message(timeout=SWEEP_SECONDS)
        if message is not None and message.get("type") == "message":
            await refresh_watchers(app, parse_announcement(str(message["data"])))
        if loop.time() >= next_sweep:
            _sweep(app)
            next_sweep = loop.time() + SWEEP_SECONDS
