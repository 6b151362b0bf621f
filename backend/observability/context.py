"""What the current piece of work is, for every log line it writes: the request id."""

from __future__ import annotations

from contextvars import ContextVar

# The id of the HTTP request being served (its X-Request-ID), None outside requests. Set
# by the web edge (api/access_log.py) for the whole request; every log line reads it.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
