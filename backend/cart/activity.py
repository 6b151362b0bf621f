"""When each cart last changed, and a guest's checkout e-mail: what cart recovery reads."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.cart.owners import owner_from_key
from backend.cart.schemas import CartOwner
from backend.cart.store import ACTIVITY_KEY, contact_key, ttl_seconds
from backend.core.redis import get_redis

# Removes an owner from the activity set only if its cart has not changed since it was read
# (scores pass through datetimes, exact to the microsecond: hence the small tolerance).
_FORGET_IF_UNCHANGED = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and math.abs(tonumber(score) - tonumber(ARGV[2])) < 0.00001 then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
"""


async def set_contact_email(owner: CartOwner, email: str) -> None:
    """A guest's e-mail from the checkout form (validated by the caller), kept as long as
    the cart."""
    await get_redis().set(contact_key(owner), email, ex=ttl_seconds())


async def forget_contact_email(owner: CartOwner) -> None:
    await get_redis().delete(contact_key(owner))


async def contact_email(owner: CartOwner) -> str | None:
    value = await get_redis().get(contact_key(owner))
    return str(value) if value else None


def _moment(score: float) -> datetime:
    return datetime.fromtimestamp(score, UTC)


async def carts_unchanged_since(
    cutoff: datetime, *, limit: int
) -> list[tuple[CartOwner, datetime]]:
    """Owners whose cart last changed at or before `cutoff`, oldest first."""
    found = await get_redis().zrangebyscore(
        ACTIVITY_KEY, "-inf", cutoff.timestamp(), start=0, num=limit, withscores=True
    )
    owners = []
    for key, score in found:
        owner = owner_from_key(str(key))
        if owner is None:
            await get_redis().zrem(ACTIVITY_KEY, key)  # never written by us
            continue
        owners.append((owner, _moment(float(score))))
    return owners


async def changed_at(owner: CartOwner) -> datetime | None:
    score = await get_redis().zscore(ACTIVITY_KEY, owner.key)
    return None if score is None else _moment(float(score))


async def forget_activity(owner: CartOwner, changed: datetime) -> None:
    """Stop tracking a cart as handled, unless it changed after `changed` (then it will be
    looked at again when that change is old enough)."""
    await get_redis().eval(  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
        _FORGET_IF_UNCHANGED, 1, ACTIVITY_KEY, owner.key, repr(changed.timestamp())
    )
