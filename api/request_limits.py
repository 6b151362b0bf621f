"""Limits on every HTTP request body, enforced before any route reads it.

- Size: a body announced larger than the cap (`Content-Length`) is a 413 at once, without
  reading it; one that streams past the cap (chunked) is cut off with a 413 when it does.
  The cap is `UPLOAD_MAX_MB` for Reflex's `/_upload` (product images, CSV imports) and
  `REQUEST_BODY_MAX_KB` for everything else (forms, JSON).
- Time: while a body is being read, each piece must arrive within
  `REQUEST_BODY_TIMEOUT_SECONDS` of the app asking for it, or the answer is a 408. Granian,
  which serves `./shop run`, bounds the time to read headers (30 s) but not bodies: a
  client announcing a body and then going silent held its connection indefinitely.

A plain ASGI middleware that wraps `receive`. When a limit is hit while the app reads, the
refusal is sent from here (`Connection: close`), the app's `receive` answers
`http.disconnect` so it stops, and whatever the app sends afterwards is dropped.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.v1.problems import problem_response
from backend.settings import get_settings

UPLOAD_PATH = "/_upload"  # Reflex's upload endpoint (constants.Endpoint.UPLOAD)
# The API's file uploads (product pictures, CSV imports) take the upload cap too; the
# routes hold each file to its own, smaller limit.
_API_UPLOAD = re.compile(r"^/api/v1/admin/(products/[^/]+/images|product-imports/previews)$")
_DISCONNECT: Message = {"type": "http.disconnect"}


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _too_large(cap: int) -> str:
    if cap >= 1024 * 1024:
        return f"The request body is larger than {cap // (1024 * 1024)} MB."
    return f"The request body is larger than {cap // 1024} KB."


class RequestLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        settings = get_settings()
        self.body_cap = settings.request_body_max_bytes
        self.upload_cap = settings.upload_max_bytes
        self.timeout = settings.request_body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        is_upload = path == UPLOAD_PATH or _API_UPLOAD.match(path) is not None
        cap = self.upload_cap if is_upload else self.body_cap
        declared = _declared_length(scope)
        if declared is not None and declared > cap:
            await _refuse(scope, send, 413, _too_large(cap))
            return
        body = _LimitedBody(scope, receive, send, cap=cap, timeout=self.timeout)
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:
            # An app that fails because its body was cut off (ClientDisconnect) is expected
            # once the refusal went out; anything else is the app's own error.
            if not body.refused:
                raise


class _LimitedBody:
    """One request's `receive` with the size and time limits, and its `send`."""

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, *, cap: int, timeout: float
    ) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.cap = cap
        self.timeout = timeout
        self.received = 0
        self.body_complete = False
        self.response_started = False
        self.refused = False

    async def receive(self) -> Message:
        if self.refused:
            return _DISCONNECT
        if self.body_complete:
            # Afterwards apps wait for the client to leave (streaming answers): no limit.
            return await self._receive()
        try:
            message = await asyncio.wait_for(self._receive(), self.timeout)
        except TimeoutError:
            await self._refuse(
                408, f"The request body stopped arriving for {self.timeout:g} seconds."
            )
            return _DISCONNECT
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.cap:
                await self._refuse(413, _too_large(self.cap))
                return _DISCONNECT
            self.body_complete = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)

    async def _refuse(self, status: int, detail: str) -> None:
        self.refused = True
        if not self.response_started:
            await _refuse(self.scope, self._send, status, detail)


async def _refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
    response = problem_response(status, detail, headers={"Connection": "close"})

    async def nothing_to_read() -> Message:
        return _DISCONNECT

    await response(scope, nothing_to_read, send)


def limit_request_bodies(app: Any) -> ASGIApp:
    return RequestLimits(app)
