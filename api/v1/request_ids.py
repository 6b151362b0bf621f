"""A request id on every API response and log line: the caller's `X-Request-ID` when it
looks sane, else a new one (`api/access_log.py`). Inside the web app the outer access log
middleware has chosen it already; the API repeats it in its responses."""

from __future__ import annotations

from starlette.types import ASGIApp

from api.access_log import AccessLogMiddleware
from backend.observability.context import current_request_id

__all__ = ["RequestIdMiddleware", "current_request_id"]


class RequestIdMiddleware(AccessLogMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, echo_header=True)
