"""A request id on every API response and log line: the caller's `X-Request-ID` when it
looks sane, else a new one. Each request is logged once (logger `api.access`, with the id)
and `RequestIdLogFilter` puts the id on every other record logged while it runs."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
access_log = logging.getLogger("api.access")


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record (use %(request_id)s in a format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER.encode(), b"").decode("latin-1")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s %.1f ms request_id=%s",
                scope["method"],
                scope.get("root_path", "") + scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
                extra={"request_id": request_id},
            )
            current_request_id.reset(token)
