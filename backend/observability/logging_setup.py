"""Log lines of every process (web, worker with its relay) on stdout, in one shape.

`LOG_FORMAT=json`: one JSON object a line with `time`, `level`, `logger`, `message`,
`request_id`, `trace_id`, `span_id` (and any structured fields a line adds, such as the
access log's `route`, `status`, `duration_ms`); otherwise a line for people with the same
facts. Every line passes the redaction (`redaction.py`) before it is written.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from backend.observability.context import current_request_id
from backend.observability.redaction import redact
from backend.observability.tracing import current_trace_ids
from backend.settings import LogFormat, get_settings

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s: %(message)s "
    "[request_id=%(request_id)s trace_id=%(trace_id)s]"
)
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "trace_id", "span_id")
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}

_HANDLER_NAME = "shop-stdout"


class LogContextFilter(logging.Filter):
    """Puts the request id and the current trace and span ids on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        ids = current_trace_ids()
        record.trace_id, record.span_id = ids if ids else (None, None)
        return True


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message (with its arguments filled in) and its traceback
    without credentials, so no handler writes one, whatever its format."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatters print exc_text, the redacted copy
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _utc_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class RedactingTextFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802  (logging's name)
        return _utc_time(record)

    def format(self, record: logging.LogRecord) -> str:
        for field in ("request_id", "trace_id"):
            if getattr(record, field, None) is None:
                setattr(record, field, "-")
        return redact(super().format(record))


class RedactingJsonFormatter(JsonFormatter):
    """python-json-logger's formatter; the whole line is redacted once more (fields added
    with `extra=` are not part of the message the filter saw)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802  (logging's name)
        return _utc_time(record)


def build_handler(log_format: LogFormat, stream: Any = None) -> logging.Handler:
    """A stdout handler (or one on `stream`) writing the shop's lines in `log_format`."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(LogContextFilter())
    handler.addFilter(RedactSecretsFilter())
    if log_format is LogFormat.JSON:
        handler.setFormatter(
            RedactingJsonFormatter(
                list(JSON_FIELDS),
                rename_fields=JSON_RENAMES,
                timestamp=False,
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(RedactingTextFormatter(TEXT_FORMAT))
    return handler


# Libraries whose INFO lines are noise, kept to their warnings: httpx logs every
# request's full URL (webhook receivers' query strings too); fontTools logs each step of
# subsetting the font into every invoice PDF, a dozen lines each (two thirds of a busy
# worker's lines, and ~7 % of its CPU formatting and redacting them).
CHATTY_LIBRARIES = ("httpx", "httpcore", "fontTools")


def configure_logging() -> None:
    """Sends every logger's lines to stdout in the configured format and level, replacing
    handlers set up before (a second call changes nothing more)."""
    settings = get_settings()
    assert settings.log_format is not None  # chosen by the settings' validator
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(build_handler(settings.log_format))
    root.setLevel(settings.log_level.value)
    for chatty in CHATTY_LIBRARIES:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
