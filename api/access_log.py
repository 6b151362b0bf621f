"""One access log line per HTTP request, and a request id for every line logged meanwhile.

The id is the caller's `X-Request-ID` when it looks sane, else a new one; it is put in
`backend.observability.context.current_request_id` for the whole request, so every log
line of the request carries it. The access line (logger `shop.access`) names the route
template (`/api/v1/orders/{number}`), never the raw path: paths can hold tokens (shared
wishlists) and ids, and a template is what an operator groups by. The same template
names the request's server span.

With tracing on, this middleware also makes that server span: one span per HTTP request,
continuing the caller's W3C trace context. OpenTelemetry's generic ASGI middleware did
the same at several times the cost (it reads and records every request header and URL
part, which we then had to redact), the largest part of tracing's overhead per request.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from opentelemetry.trace import Span, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.observability.context import current_request_id
from backend.observability.metrics import observe_http
from backend.observability.tracing import (
    TRACEPARENT,
    TRACESTATE,
    server_span,
    tracing_enabled,
)

HEADER = b"x-request-id"
TRACE_HEADERS = {TRACEPARENT.encode(): TRACEPARENT, TRACESTATE.encode(): TRACESTATE}
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
# A request no route of ours matched: Reflex's compiled pages and assets, its websocket.
UNMATCHED_ROUTE = "(frontend)"

access_log = logging.getLogger("shop.access")


def request_id_for(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == HEADER:
            given: str = value.decode("latin-1")
            if _SANE.match(given):
                return given
            break
    return secrets.token_hex(16)  # 32 hex digits, as a uuid4's hex, at half the cost


def trace_context_of(scope: Scope) -> dict[str, str]:
    """The caller's W3C trace context headers, the only ones a server span reads."""
    return {
        TRACE_HEADERS[name]: value.decode("latin-1")
        for name, value in scope.get("headers") or []
        if name in TRACE_HEADERS
    }


def route_template(scope: Scope) -> str:
    """The matched route's template with its mount prefix, e.g. `/api/v1/orders/{number}`;
    `(frontend)` when none of the shop's routes matched."""
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED_ROUTE
    prefix = scope.get("root_path", "")
    return prefix + template if not template.startswith(prefix) else template


class AccessLogMiddleware:
    """Around the whole web app (or the API alone, as its tests build it): the outermost
    one gives the request its id and writes its access line; an inner one only repeats
    the id in the response's `X-Request-ID` when `echo_header` is set."""

    def __init__(self, app: ASGIApp, *, echo_header: bool = False) -> None:
        self.app = app
        self.echo_header = echo_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outer_id = current_request_id.get()
        if outer_id is not None:  # an outer AccessLogMiddleware logs this request
            await self.app(scope, receive, self._with_header(send, outer_id))
            return
        if not tracing_enabled():
            await self._log(scope, receive, send, None)
            return
        # Named by the method until routing has found the template (a raw path may hold
        # a token); renamed when the response starts.
        with server_span(
            scope["method"],
            trace_context_of(scope),
            {"http.request.method": scope["method"], "url.scheme": scope.get("scheme", "http")},
        ) as request_span:
            # A request whose trace was not kept (most) has nothing to name.
            await self._log(
                scope, receive, send, request_span if request_span.is_recording() else None
            )

    async def _log(
        self, scope: Scope, receive: Receive, send: Send, request_span: Span | None
    ) -> None:
        request_id = request_id_for(scope)
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if request_span is not None:  # routing is done; the span ends with the body
                    route = route_template(scope)
                    request_span.update_name(f"{scope['method']} {route}")
                    request_span.set_attributes(
                        {"http.route": route, "http.response.status_code": status}
                    )
                    if status >= 500:
                        request_span.set_status(StatusCode.ERROR)
            await send(message)

        try:
            await self.app(scope, receive, self._with_header(send_and_note, request_id))
        finally:
            route = route_template(scope)
            elapsed = time.perf_counter() - started
            observe_http(route, scope["method"], status, elapsed)
            duration_ms = round(elapsed * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                route,
                status,
                duration_ms,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            current_request_id.reset(token)

    def _with_header(self, send: Send, request_id: str) -> Send:
        if not self.echo_header:
            return send

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                headers.append((HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        return send_with_id


def log_requests(app: ASGIApp) -> ASGIApp:
    """For `rx.App(api_transformer=[...])`: the access log around everything."""
    return AccessLogMiddleware(app)
