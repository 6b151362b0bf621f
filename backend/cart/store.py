"""The carts' Redis layout and the writes of one line, each atomic.

One hash per cart, `cart:<owner>` → {variant id: quantity}, expiring after CART_TTL_DAYS
without a change (a product without options has one variant, under the product's own id,
so carts written before variants still read). Every change also stamps the owner in one
sorted set, `cart-activity` (owner → when its cart last changed), so abandoned carts are
found without scanning (`backend/cart_recovery`); a guest's checkout e-mail waits in
`cart-contact:<owner>` with the cart's lifetime.

A change that depends on what the line holds (add, set) is one Lua script, so two tabs
(or two web processes) changing one cart at once never lose an increment and the limits
hold: the script reads the line, applies the caps the caller computed from the catalog,
and writes, with nothing in between.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from backend.cart.schemas import CartOwner
from backend.core.clock import utcnow
from backend.core.redis import get_redis
from backend.settings import get_settings

ACTIVITY_KEY = "cart-activity"  # sorted set: owner key → last change (Unix seconds)
# One line's change, atomically. KEYS: the cart, the activity set. ARGV: variant id, mode
# ("add" to the held quantity or "set" it), quantity, the line's cap (stock and per-line
# limit, from the catalog), the most lines a cart holds, "1" to refuse a capped change
# instead of storing the cap, TTL seconds, now (Unix seconds), the owner's key.
# Returns {outcome, held before, stored}; outcome "stored", "capped" (refused, nothing
# written) or "full" (a new line in a full cart; nothing written).
_CHANGE_LINE = """
local held = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local wanted = tonumber(ARGV[3])
if ARGV[2] == 'add' then wanted = held + wanted end
local stored = math.max(math.min(wanted, tonumber(ARGV[4])), 0)
if stored > 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0
    and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then
  return {'full', held, 0}
end
if ARGV[6] == '1' and stored < wanted then
  return {'capped', held, stored}
end
if stored > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], stored)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[8], ARGV[9])
return {'stored', held, stored}
"""


# A paid order's lines leave its cart once, whoever gets there first (the payment's own
# request, or the worker on `OrderPaid`, possibly much later after an outage). KEYS: the
# cart, the order's marker, the cart's gift cards. ARGV: the marker's TTL seconds, how
# many variant ids follow, the variant ids, then the gift card line ids. Returns 1 when
# this call took them out, 0 when it had been done.
_FORGET_ONCE = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
local variants = tonumber(ARGV[2])
for i = 3, #ARGV do
  if i < 3 + variants then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HDEL', KEYS[3], ARGV[i])
  end
end
return 1
"""


def cart_key(owner: CartOwner) -> str:
    return f"cart:{owner.key}"


def gift_cards_key(owner: CartOwner) -> str:
    """The cart's gift cards, one line each (`gift_cards.py`)."""
    return f"cart-gift-cards:{owner.key}"


def contact_key(owner: CartOwner) -> str:
    return f"cart-contact:{owner.key}"


def ttl_seconds() -> int:
    return get_settings().cart_ttl_days * 24 * 3600


async def read_quantities(owner: CartOwner) -> dict[uuid.UUID, int]:
    """{variant id: quantity} as stored."""
    raw = await get_redis().hgetall(cart_key(owner))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    return _quantities(raw)


async def count_items(owner: CartOwner) -> int:
    """The items in the cart (quantities added up) and its gift cards, in one round trip:
    the header's badge on every page."""
    async with get_redis().pipeline(transaction=False) as pipe:
        pipe.hgetall(cart_key(owner))
        pipe.hlen(gift_cards_key(owner))
        raw, cards = await pipe.execute()
    return sum(_quantities(raw).values()) + int(cards)


def _quantities(raw: Mapping[str, str]) -> dict[uuid.UUID, int]:
    quantities: dict[uuid.UUID, int] = {}
    for variant_id, quantity in raw.items():
        try:
            quantities[uuid.UUID(variant_id)] = int(quantity)
        except ValueError:
            continue  # never written by us: ignore
    return quantities


@lru_cache(maxsize=4)
def _change_line_script(client: Redis) -> AsyncScript:
    return client.register_script(_CHANGE_LINE)  # once per client, not per request


@dataclass(frozen=True)
class LineChange:
    outcome: Literal["stored", "capped", "full"]
    held: int  # before the change
    stored: int  # after it ("capped": what it would have been)


async def change_line(
    owner: CartOwner,
    variant_id: uuid.UUID,
    *,
    mode: Literal["add", "set"],
    quantity: int,
    cap: int,
    all_or_nothing: bool,
) -> LineChange:
    """Add `quantity` to the line or set it, capped at `cap`, in one script."""
    script = _change_line_script(get_redis())
    outcome, held, stored = await script(
        keys=[cart_key(owner), ACTIVITY_KEY],
        args=[
            str(variant_id),
            mode,
            quantity,
            cap,
            get_settings().cart_max_lines,
            "1" if all_or_nothing else "0",
            ttl_seconds(),
            repr(utcnow().timestamp()),
            owner.key,
        ],
    )
    return LineChange(outcome=outcome, held=int(held), stored=int(stored))


def forgotten_key(order_id: uuid.UUID) -> str:
    return f"cart-forgotten:{order_id}"


@lru_cache(maxsize=4)
def _forget_once_script(client: Redis) -> AsyncScript:
    return client.register_script(_FORGET_ONCE)


async def forget_lines_once(
    owner: CartOwner,
    variant_ids: list[uuid.UUID],
    *,
    order_id: uuid.UUID,
    gift_card_lines: list[str] | None = None,
) -> bool:
    """Take an order's variants (and gift cards) out of the cart the first time this is
    asked for that order, never again: a shopper who buys a mug and puts another in the
    cart keeps the new one when the worker repeats the cleanup later. True when this
    call did it."""
    script = _forget_once_script(get_redis())
    done = await script(
        keys=[cart_key(owner), forgotten_key(order_id), gift_cards_key(owner)],
        args=[
            ttl_seconds(),
            len(variant_ids),
            *(str(v) for v in variant_ids),
            *(gift_card_lines or ()),
        ],
    )
    return bool(done)


async def remove_line(owner: CartOwner, variant_id: uuid.UUID) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hdel(cart_key(owner), str(variant_id))
        pipe.expire(cart_key(owner), ttl_seconds())
        pipe.zadd(ACTIVITY_KEY, {owner.key: utcnow().timestamp()})
        await pipe.execute()
