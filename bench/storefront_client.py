"""A storefront tab for benchmarks: what a browser sends and waits for, without a browser.

A page of the storefront is a static HTML shell (nginx serves it) plus Reflex's websocket
(`/_event`, socket.io), which carries every event and every state change. A `ShopperTab`
does what the compiled frontend (`.web/utils/state.js`) does:

- `open(path)`: GET the page's HTML (which hands out the guest cart cookie), open the
  websocket with that cookie, the `hydrate_and_load` event riding in the socket.io CONNECT
  packet, and wait until the page's on_load handlers ran (the server then sets
  `is_hydrated`);
- `navigate(path)`: a click on a link inside the app (no HTML request): the
  `on_load_internal` event with the new route, and the same wait;
- `call(handler, payload, until=...)`: a button or form event, waiting until the
  server's answer meets `until` (the state a shopper would look at).

Events that the server chains are run by the server; of the events it sends back, the
tab follows `_redirect` (as the router would) and notes error toasts (a handler that
raised, or refused input), which the caller counts as errors. Unlike
`tests/fixtures/hostile_client.py` it sends no probe events: a load test must send only
what a browser sends.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import socketio

EVENT_PATH = "/_event"
EVENT_NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE_AND_LOAD = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD_INTERNAL = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
FIELD_MARKER = "_rx_state_"
IS_HYDRATED = f"is_hydrated{FIELD_MARKER}"
# Route parameters of the dynamic pages, as the frontend's router names them.
ROUTE_PARAMS = (("/products/", "product_id"), ("/categories/", "slug"), ("/orders/", "number"))


class StepError(Exception):
    """The page did not show what a shopper needs to go on (or an error toast)."""


def reflex_version() -> str:
    from importlib.metadata import version

    return version("reflex")


def router_data(path: str) -> dict[str, Any]:
    """What `withRouterData` in state.js attaches to every event."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query))
    for prefix, name in ROUTE_PARAMS:
        if parts.path.startswith(prefix) and parts.path.count("/") == 2:
            query[name] = parts.path.removeprefix(prefix)
    data: dict[str, Any] = {"pathname": parts.path, "asPath": path}
    if query:
        data["query"] = query
    return data


class ShopperTab:
    """One browser tab on the shop: its cookies, its websocket and the state it shows."""

    def __init__(
        self, base_url: str, *, origin: str, client_address: str, timeout: float = 30.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = origin  # the shop's public address, which the websocket must name
        self.timeout = timeout
        # Each shopper comes from an address of its own (nginx passes it on, as it would
        # for real visitors), so per-address limits see many shoppers, not one.
        self.forwarded_for = client_address
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self.token = str(uuid.uuid4())
        self.path = "/"
        self.state: dict[str, dict[str, Any]] = {}  # every delta applied, markers removed
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._sio: socketio.AsyncClient | None = None

    async def close(self) -> None:
        if self._sio is not None:
            sio, self._sio = self._sio, None
            try:
                await sio.disconnect()
                await sio.shutdown()
            except Exception:  # closing a broken tab must not hide the error that broke it
                pass
        await self.http.aclose()

    # -- state as the page holds it ------------------------------------------------------

    def vars_of(self, state_cls: type[Any]) -> dict[str, Any]:
        return self.state.get(state_cls.get_full_name(), {})

    async def _on_event(self, data: dict[str, Any]) -> None:
        async with self._arrived:
            self.messages.append(data)
            for substate, values in (data.get("delta") or {}).items():
                target = self.state.setdefault(substate, {})
                for key, value in values.items():
                    target[key.removesuffix(FIELD_MARKER)] = value
            self._arrived.notify_all()

    async def _on_disconnect(self, *reason: object) -> None:
        async with self._arrived:  # a waiting step fails now, not at its timeout
            self._arrived.notify_all()

    def _events_since(self, start: int) -> list[dict[str, Any]]:
        return [e for m in self.messages[start:] for e in (m.get("events") or [])]

    def _check_errors(self, start: int) -> None:
        for event in self._events_since(start):
            text = json.dumps(event)
            if "toast" in text and "error" in text:
                raise StepError(f"error toast: {text[:300]}")

    def toast_since(self, start: int) -> bool:
        return any("__toast" in json.dumps(e) for e in self._events_since(start))

    def redirect_since(self, start: int) -> str | None:
        for event in self._events_since(start):
            if event.get("name") == "_redirect":
                return str(event.get("payload", {}).get("path") or "") or None
        return None

    async def _wait(self, start: int, until: Callable[[], bool], what: str) -> None:
        async def waiting() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: until() or self._failed_since(start))

        try:
            await asyncio.wait_for(waiting(), self.timeout)
        except TimeoutError:
            raise StepError(f"no answer within {self.timeout:.0f} s: {what}") from None
        self._check_errors(start)
        if not self.connected:
            raise StepError(f"websocket closed: {what}")

    def _failed_since(self, start: int) -> bool:
        try:
            self._check_errors(start)
        except StepError:
            return True
        return not self.connected

    def _hydrated_since(self, start: int) -> bool:
        return any(
            (m.get("delta") or {}).get(ROOT_STATE, {}).get(IS_HYDRATED) is True
            for m in self.messages[start:]
        )

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    # -- what a browser does ---------------------------------------------------------------

    async def open(self, path: str) -> None:
        """Type the address: the HTML page, then the websocket and the page's on_load."""
        headers = {"X-Forwarded-For": self.forwarded_for}
        response = await self.http.get(path, headers=headers)
        if response.status_code != 200 or "<html" not in response.text[:2000].lower():
            raise StepError(f"GET {path}: HTTP {response.status_code}")
        cookie = "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())
        if not cookie:
            raise StepError(f"GET {path}: no guest cart cookie")
        self.path = path
        start = len(self.messages)
        sio = socketio.AsyncClient(
            reconnection=False,
            websocket_extra_options={
                "headers": {**headers, "Cookie": cookie, "Origin": self.origin},
                "protocols": [reflex_version()],
            },
        )
        sio.on("event", self._on_event, namespace=EVENT_NAMESPACE)
        sio.on("disconnect", self._on_disconnect, namespace=EVENT_NAMESPACE)
        self._sio = sio
        boot = {"name": HYDRATE_AND_LOAD, "payload": {}, "router_data": router_data(path)}
        try:
            await sio.connect(
                f"{self.base_url}/?{urlencode({'token': self.token})}",
                transports=["websocket"],
                namespaces=[EVENT_NAMESPACE],
                socketio_path=EVENT_PATH,
                auth={"event": boot},
                wait_timeout=self.timeout,
            )
        except socketio.exceptions.ConnectionError as error:
            raise StepError(f"websocket: {error}") from error
        await self._wait(start, lambda: self._hydrated_since(start), f"open {path}")

    async def navigate(self, path: str, *, until: Callable[[], bool] | None = None) -> None:
        """Follow a link inside the app: the router changes the page, on_load runs; done
        when the page says it is loaded (and `until()` holds, when given)."""
        start = len(self.messages)
        await self.click(path)
        await self._wait(
            start,
            lambda: self._hydrated_since(start) and (until is None or until()),
            f"navigate to {path}",
        )

    async def click(self, path: str) -> None:
        """A click on a link, without waiting for the page: another click may follow."""
        self.path = path
        await self._send(ON_LOAD_INTERNAL, {})

    async def call(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        until: Callable[[int], bool],
        what: str,
    ) -> int:
        """Send one event; return once `until(first message index)` holds. Returns that
        index, for `redirect_since`."""
        start = len(self.messages)
        await self._send(name, payload)
        await self._wait(start, lambda: until(start), what)
        return start

    async def _send(self, name: str, payload: dict[str, Any]) -> None:
        if not self.connected:
            raise StepError("websocket closed")
        assert self._sio is not None
        event = {"name": name, "payload": payload, "router_data": router_data(self.path)}
        await self._sio.emit("event", event, namespace=EVENT_NAMESPACE)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
