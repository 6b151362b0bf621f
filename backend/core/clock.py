"""The one source of "now": timezone-aware UTC, so no naive datetime reaches the database."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
