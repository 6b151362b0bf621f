"""Log lines and traces of a web process, set up before its app is built."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from opentelemetry.trace import Span

from backend.observability.logging_setup import configure_logging
from backend.observability.redaction import redact
from backend.observability.tracing import setup_tracing, tracer_provider

# Request attributes the ASGI instrumentation records: a path may hold a token (shared
# wishlists), a query string a one-time link's token. The access log middleware replaces
# the path with the route template once routing has found it (api/access_log.py).
FULL_URL_ATTRIBUTES = ("http.url", "url.full")
PATH_ATTRIBUTES = ("http.target", "url.path", "url.query")


def _redact_url_attributes(span: Span, scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for name in FULL_URL_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str):
            parts = urlsplit(value)
            span.set_attribute(name, f"{parts.scheme}://{parts.netloc}")
    for name in PATH_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str):
            span.set_attribute(name, redact(value))


def _span_name_without_path(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A request's span starts named by its method alone (a raw path may hold a token);
    the access log renames it by route template when the response starts."""
    if scope["type"] == "websocket":
        return "WS", {}
    return str(scope.get("method") or "HTTP"), {}


def traced_asgi(app: Any) -> Any:
    """The ASGI instrumentation around the whole web app: a server span per HTTP request
    and websocket, continuing a caller's W3C trace context."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app,
        tracer_provider=tracer_provider(),
        # Not a span per websocket message: Reflex's event spans say what happened.
        exclude_spans=["receive", "send"],
        server_request_hook=_redact_url_attributes,
        default_span_details=_span_name_without_path,
    )


def start_web_telemetry() -> None:
    """JSON or text log lines on stdout; with a collector configured, a span for every
    HTTP request and websocket (ASGI) and for every Reflex event (Reflex's own trace
    points: one span per event, named after its state and handler)."""
    configure_logging()
    if not setup_tracing("shop-web"):
        return
    from reflex_base import otel

    otel.enable(tracer_provider=tracer_provider(), asgi_middleware_factory=traced_asgi)
