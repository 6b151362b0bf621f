"""Redis keys that name an erased customer: by key (their account id or e-mail in it:
the cart, sign-in limits, session epoch) or by value where copies of personal data are
kept a while (a guest cart's checkout e-mail, the REST API's stored replies to repeated
requests, 24 h)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from backend.core.redaction import holds_any
from backend.core.redis import get_redis

# Key prefixes whose values may hold a copy of someone's e-mail, name or address.
VALUE_PREFIXES = ("cart-contact:", "api-idempotency:")


def _glob_literal(text: str) -> str:
    """`text` matched literally by a Redis MATCH pattern."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


async def forget(user_id: uuid.UUID, email: str, needles: Collection[str]) -> int:
    """Delete every such key; how many went."""
    redis = get_redis()
    doomed: set[str] = set()
    for named in (str(user_id), email.lower(), email):
        async for key in redis.scan_iter(match=f"*{_glob_literal(named)}*", count=1000):
            doomed.add(key.decode() if isinstance(key, bytes) else key)
    for prefix in VALUE_PREFIXES:
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            value = await _text_of(key)
            if value and holds_any(value, needles):
                doomed.add(key.decode() if isinstance(key, bytes) else key)
    if doomed:
        await redis.delete(*doomed)
    return len(doomed)


async def _text_of(key: str | bytes) -> str:
    key = key.decode() if isinstance(key, bytes) else key
    redis = get_redis()
    kind = await redis.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "string":
        raw = await redis.get(key)
        return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw or "")
    if kind == "hash":
        fields = await redis.hgetall(key)  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
        return " ".join(
            (part.decode(errors="replace") if isinstance(part, bytes) else str(part))
            for pair in fields.items()
            for part in pair
        )
    return ""
