"""At sign-in: the guest cart joins the shopper's cart, in one Lua script."""

from __future__ import annotations

import uuid
from functools import lru_cache

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from backend.cart.gift_cards import merge_gift_cards
from backend.cart.limits import line_cap
from backend.cart.queries import get_cart
from backend.cart.schemas import Cart, CartOwner
from backend.cart.store import ACTIVITY_KEY, cart_key, contact_key, ttl_seconds
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.clock import utcnow
from backend.core.redis import get_redis
from backend.settings import get_settings

# A guest cart joins a shopper's cart, atomically. KEYS: guest cart, shopper cart, activity
# set, guest contact. ARGV: the most lines a cart holds, TTL seconds, now, guest owner key,
# shopper owner key, then (field, cap) pairs for every field of the guest cart as the
# caller read it (cap 0: not sold). Returns the guest fields with no cap given (added
# since the caller read it): nothing was written, the caller looks them up and retries.
_MERGE_CARTS = """
local caps = {}
for i = 6, #ARGV, 2 do caps[ARGV[i]] = tonumber(ARGV[i + 1]) end
local guest = redis.call('HGETALL', KEYS[1])
local unknown = {}
for i = 1, #guest, 2 do
  if caps[guest[i]] == nil then table.insert(unknown, guest[i]) end
end
if #unknown > 0 then return unknown end
local lines = redis.call('HLEN', KEYS[2])
local changed = false
for i = 1, #guest, 2 do
  local product, quantity, cap = guest[i], tonumber(guest[i + 1]), caps[guest[i]]
  if quantity and quantity > 0 and cap > 0 then
    local is_new = redis.call('HEXISTS', KEYS[2], product) == 0
    if not is_new or lines < tonumber(ARGV[1]) then
      local held = tonumber(redis.call('HGET', KEYS[2], product)) or 0
      redis.call('HSET', KEYS[2], product, math.min(held + quantity, cap))
      if is_new then lines = lines + 1 end
      changed = true
    end
  end
end
if changed then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('ZREM', KEYS[3], ARGV[4])
return {}
"""


@lru_cache(maxsize=4)
def _merge_carts_script(client: Redis) -> AsyncScript:
    return client.register_script(_MERGE_CARTS)  # once per client, not per request


async def merge_guest_cart(guest: CartOwner, user: CartOwner) -> Cart:
    """At sign-in: the guest cart's lines join the shopper's cart (quantities summed,
    capped at stock and the per-line limit; new lines only while the cart has room); the
    guest cart is then gone (its gift cards move over too). One script does it, so an
    add in another tab during the merge is neither lost nor doubled."""
    settings = get_settings()
    merge_carts = _merge_carts_script(get_redis())
    caps: dict[str, int] = {}
    fields = await get_redis().hkeys(cart_key(guest))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    unknown = [str(field) for field in fields]
    # Each round learns the caps of fields added since the last read: it ends, because a
    # field's cap is looked up once and a cart holds a bounded number of fields.
    while True:
        caps |= await _caps_of(unknown)
        unknown = await merge_carts(
            keys=[cart_key(guest), cart_key(user), ACTIVITY_KEY, contact_key(guest)],
            args=[
                settings.cart_max_lines,
                ttl_seconds(),
                repr(utcnow().timestamp()),
                guest.key,
                user.key,
                *(item for pair in caps.items() for item in pair),
            ],
        )
        if not unknown:
            await merge_gift_cards(guest, user)
            return await get_cart(user)


async def _caps_of(fields: list[str]) -> dict[str, int]:
    """{cart field: the most of it a cart may hold now}; 0 for what is not sold (or not
    a variant id at all)."""
    ids: dict[str, uuid.UUID] = {}
    for field in fields:
        try:
            ids[field] = uuid.UUID(field)
        except ValueError:
            continue
    products = await get_variant_summaries(list(ids.values()))
    caps = {}
    for field in fields:
        product = products.get(ids[field]) if field in ids else None
        caps[field] = max(line_cap(product), 0) if product and product.is_active else 0
    return caps
