"""Whether a browser session verified a moment ago still holds, for the price of a Redis GET.

A signed-in browser tab must notice at once when its session ends (sign-out elsewhere,
password change, a lock, a role change), and asking PostgreSQL on every websocket event
costs a pooled connection and two queries. Instead each user has an epoch: a random value
in Redis that every change to the user's sessions, status, roles or name deletes right
after its commit (`sessions_changed`). A tab verifies its session in the database,
keeping the epoch it read *before* that query; on each later event it compares that
epoch with the current one. A missing or different epoch, or Redis being unreachable,
sends the tab back to the database: the check fails closed.

Why the order matters: a change commits, then deletes the epoch. A verification whose
query ran before the commit read its epoch earlier still, so that epoch is the one the
change deletes; a verification whose query ran after the commit saw the change.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from redis.exceptions import RedisError

from backend.core.redis import get_redis

logger = logging.getLogger(__name__)

# Only bounds Redis memory: an epoch that expires sends its user's tabs to the database
# once, and a new one is made.
EPOCH_TTL_SECONDS = 24 * 3600


def _key(user_id: uuid.UUID) -> str:
    return f"session-epoch:{user_id}"


async def current_epoch(user_id: uuid.UUID) -> str | None:
    """The user's epoch now, None if there is none. Raises RedisError."""
    value = await get_redis().get(_key(user_id))
    return str(value) if value is not None else None


async def epoch_before_verifying(user_id: uuid.UUID) -> str:
    """The user's epoch, made if missing: read it before asking the database. "" when Redis
    is unreachable (no epoch ever matches "", so every event asks the database)."""
    key = _key(user_id)
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            pipe.set(key, secrets.token_urlsafe(16), nx=True, ex=EPOCH_TTL_SECONDS)
            pipe.get(key)
            _created, value = await pipe.execute()
    except RedisError:
        logger.warning("session epoch unavailable; sessions are checked in the database")
        return ""
    return str(value or "")


async def sessions_changed(*user_ids: uuid.UUID) -> None:
    """Call after committing any change to these users' sessions, status, roles or names:
    every tab of theirs re-verifies its session in the database on its next event."""
    if not user_ids:
        return
    try:
        await get_redis().delete(*(_key(user_id) for user_id in user_ids))
    except RedisError:
        # The change is committed; tabs still re-verify within SESSION_RECHECK_SECONDS
        # (backend.accounts.browser_sessions), and at once while Redis stays unreachable.
        logger.exception("could not invalidate session epochs of %s", user_ids)
