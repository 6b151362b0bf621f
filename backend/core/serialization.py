"""Values made JSON-safe: what goes into caches, JSONB columns and event payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any


def json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, uuid.UUID | Decimal | datetime):
        return str(value) if not isinstance(value, datetime) else value.isoformat()
    return value
