"""Log lines and traces of a web process, set up before its app is built."""

from __future__ import annotations

from backend.observability.logging_setup import configure_logging
from backend.observability.tracing import setup_tracing, tracer_provider


def start_web_telemetry() -> None:
    """JSON or text log lines on stdout; with a collector configured, a span for every
    HTTP request (the access log middleware makes it, api/access_log.py) and for every
    Reflex event (Reflex's own trace points: one span per event, named after its state and
    handler). A websocket gets no span of its own: it lives as long as the tab, and the
    spans of its events say what happened on it."""
    configure_logging()
    if not setup_tracing("shop-web"):
        return
    from reflex_base import otel

    otel.enable(tracer_provider=tracer_provider())
