"""Cart use cases: add, change, remove, show, merge at sign-in.

Redis layout: one hash per cart, `cart:<owner>` → {product id: quantity}, expiring after
CART_TTL_DAYS without a change. Adding reads the product once (one SQL statement by
primary key), so the quantity is capped at the stock and the per-line limit right away.
Every change also stamps the owner in one sorted set, `cart-activity` (owner → when its
cart last changed), so abandoned carts are found without scanning (`backend/cart_recovery`);
a guest's checkout e-mail waits in `cart-contact:<owner>` with the cart's lifetime.

Every change that depends on what the cart holds (add, set, merge) is one Lua script, so
two tabs (or two web processes) changing one cart at once never lose an increment and the
limits hold: the script reads the line, applies the caps the caller computed from the
catalog, and writes, with nothing in between.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from backend.cart.errors import SoldOutError
from backend.cart.schemas import Cart, CartChange, CartLine, CartOwner
from backend.catalog import queries as catalog
from backend.catalog.schemas import ProductSummary
from backend.core.clock import utcnow
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.core.redis import get_redis
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.settings import get_settings

_GUEST_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_USER_KEY = re.compile(r"^user:[0-9a-f-]{36}$")
ACTIVITY_KEY = "cart-activity"  # sorted set: owner key → last change (Unix seconds)
# Removes an owner from the activity set only if its cart has not changed since it was read
# (scores pass through datetimes, exact to the microsecond: hence the small tolerance).
_FORGET_IF_UNCHANGED = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and math.abs(tonumber(score) - tonumber(ARGV[2])) < 0.00001 then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
"""
# One line's change, atomically. KEYS: the cart, the activity set. ARGV: product id, mode
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
NOT_SOLD = "This product is no longer sold."


def new_guest_token() -> str:
    return secrets.token_urlsafe(32)


def guest_owner(token: str | None) -> CartOwner | None:
    """The cart of a guest cookie token; None for a missing or malformed token."""
    if not token or not _GUEST_TOKEN.match(token):
        return None
    return CartOwner(f"guest:{token}")


def user_owner(user_id: uuid.UUID) -> CartOwner:
    return CartOwner(f"user:{user_id}")


def owner_from_key(key: str) -> CartOwner | None:
    """The owner behind a stored key (`user:<uuid>` or `guest:<token>`), if well formed."""
    if key.startswith("guest:"):
        return guest_owner(key.removeprefix("guest:"))
    return CartOwner(key) if _USER_KEY.match(key) else None


def _key(owner: CartOwner) -> str:
    return f"cart:{owner.key}"


def _contact_key(owner: CartOwner) -> str:
    return f"cart-contact:{owner.key}"


def _ttl_seconds() -> int:
    return get_settings().cart_ttl_days * 24 * 3600


def _limit_for(product: ProductSummary) -> int:
    return min(product.stock_quantity, get_settings().cart_max_line_quantity)


async def _quantities(owner: CartOwner) -> dict[uuid.UUID, int]:
    raw = await get_redis().hgetall(_key(owner))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    quantities: dict[uuid.UUID, int] = {}
    for product_id, quantity in raw.items():
        try:
            quantities[uuid.UUID(product_id)] = int(quantity)
        except ValueError:
            continue  # never written by us: ignore
    return quantities


@lru_cache(maxsize=4)
def _change_line_script(client: Redis) -> AsyncScript:
    return client.register_script(_CHANGE_LINE)  # once per client, not per request


@lru_cache(maxsize=4)
def _merge_carts_script(client: Redis) -> AsyncScript:
    return client.register_script(_MERGE_CARTS)


@dataclass(frozen=True)
class _LineChange:
    outcome: Literal["stored", "capped", "full"]
    held: int  # before the change
    stored: int  # after it ("capped": what it would have been)


async def _change_line(
    owner: CartOwner,
    product_id: uuid.UUID,
    *,
    mode: Literal["add", "set"],
    quantity: int,
    cap: int,
    all_or_nothing: bool,
) -> _LineChange:
    change_line = _change_line_script(get_redis())
    outcome, held, stored = await change_line(
        keys=[_key(owner), ACTIVITY_KEY],
        args=[
            str(product_id),
            mode,
            quantity,
            cap,
            get_settings().cart_max_lines,
            "1" if all_or_nothing else "0",
            _ttl_seconds(),
            repr(utcnow().timestamp()),
            owner.key,
        ],
    )
    return _LineChange(outcome=outcome, held=int(held), stored=int(stored))


async def _remove_line(owner: CartOwner, product_id: uuid.UUID) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hdel(_key(owner), str(product_id))
        pipe.expire(_key(owner), _ttl_seconds())
        pipe.zadd(ACTIVITY_KEY, {owner.key: utcnow().timestamp()})
        await pipe.execute()


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInputError("Choose a quantity of 0 or more.", {"quantity": "Not a quantity."})


async def _sellable(product_id: uuid.UUID) -> ProductSummary:
    product = (await catalog.get_product_summaries([product_id])).get(product_id)
    if product is None or not product.is_active:
        raise NotFoundError(NOT_SOLD)
    if product.stock_quantity <= 0:
        raise SoldOutError(f"{product.name} is sold out.")
    return product


def _cart_full_error() -> InvalidInputError:
    lines = get_settings().cart_max_lines
    return InvalidInputError(
        f"Your cart is full ({lines} different products). Check out or remove some."
    )


def _capped_error(product: ProductSummary, wanted: int) -> DomainError:
    """Why a change asked in full (`all_or_nothing`) cannot be made."""
    most = get_settings().cart_max_line_quantity
    if product.stock_quantity >= most:
        return InvalidInputError(
            f"You can buy at most {most} of {product.name} per order.",
            {"quantity": f"At most {most} per order."},
        )
    return SoldOutError(
        f"Only {product.stock_quantity} of {product.name} left (you asked for {wanted}).",
        product_id=product.id,
        left=product.stock_quantity,
    )


async def add_item(
    owner: CartOwner, product_id: uuid.UUID, quantity: int = 1, *, all_or_nothing: bool = False
) -> CartChange:
    """Put `quantity` more of a product in the cart, capped at what can be bought, and
    count the shopper in the funnel's add-to-cart step. The one add-to-cart use case:
    the shop's pages, the API, wishlists, "buy again" and restored carts all add here.

    `all_or_nothing` (the API): a change that would be capped raises instead
    (InvalidInputError over the per-line limit, SoldOutError over the stock) and
    changes nothing."""
    _check_quantity(quantity)
    if quantity == 0:
        raise InvalidInputError("Choose a quantity of 1 or more.", {"quantity": "At least 1."})
    product = await _sellable(product_id)
    change = await _change_line(
        owner,
        product_id,
        mode="add",
        quantity=quantity,
        cap=_limit_for(product),
        all_or_nothing=all_or_nothing,
    )
    wanted = change.held + quantity
    if change.outcome == "full":
        raise _cart_full_error()
    if change.outcome == "capped":
        raise _capped_error(product, wanted)
    await funnel.record(FunnelStep.ADD_TO_CART, owner.key, product_id)
    message = _message(product, change.stored, wanted, done=f"Added {product.name} to your cart.")
    return CartChange(cart=await get_cart(owner), message=message)


async def set_quantity(
    owner: CartOwner, product_id: uuid.UUID, quantity: int, *, all_or_nothing: bool = False
) -> CartChange:
    """Change a line's quantity (0 removes it), capped at what can be bought.

    `all_or_nothing` (the API): a product not sold raises NotFoundError, one that cannot
    be had in this quantity raises (as for `add_item`), and the line stays as it was."""
    _check_quantity(quantity)
    if quantity == 0:
        return await remove_item(owner, product_id)
    product = (await catalog.get_product_summaries([product_id])).get(product_id)
    if product is None or not product.is_active:
        if all_or_nothing:
            raise NotFoundError(NOT_SOLD)
        await _remove_line(owner, product_id)
        return CartChange(cart=await get_cart(owner), message=NOT_SOLD)
    if all_or_nothing and product.stock_quantity <= 0:
        raise SoldOutError(f"{product.name} is sold out.")
    change = await _change_line(
        owner,
        product_id,
        mode="set",
        quantity=quantity,
        cap=_limit_for(product),
        all_or_nothing=all_or_nothing,
    )
    if change.outcome == "full":
        raise _cart_full_error()
    if change.outcome == "capped":
        raise _capped_error(product, quantity)
    message = _message(product, change.stored, quantity, done=f"Updated {product.name}.")
    return CartChange(cart=await get_cart(owner), message=message)


async def remove_item(owner: CartOwner, product_id: uuid.UUID) -> CartChange:
    await _remove_line(owner, product_id)
    return CartChange(cart=await get_cart(owner), message="Removed from your cart.")


def _message(product: ProductSummary, stored: int, wanted: int, *, done: str) -> str:
    """What to tell the shopper: `done`, or why the cart holds fewer than wanted."""
    if stored >= wanted:
        return done
    if stored == 0:
        return f"{product.name} is sold out."
    if stored >= get_settings().cart_max_line_quantity:
        return f"You can buy at most {stored} of {product.name} per order."
    return f"Only {stored} of {product.name} left: your cart has {stored}."


async def item_count(owner: CartOwner | None) -> int:
    """The number of items for the header badge (Redis only, no SQL)."""
    if owner is None:
        return 0
    return sum((await _quantities(owner)).values())


async def get_cart(owner: CartOwner | None) -> Cart:
    """The cart priced from the catalog now; lines that cannot be bought as they are say
    why (no longer sold, sold out, fewer left than wanted)."""
    currency = get_settings().shop_currency
    if owner is None:
        return Cart(lines=(), currency=currency)
    quantities = await _quantities(owner)
    products = await catalog.get_product_summaries(list(quantities))
    lines = []
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            await _remove_line(owner, product_id)  # deleted from the catalog: forget it
            continue
        lines.append(_line(product, quantity))
    lines.sort(key=lambda line: line.name.lower())
    return Cart(lines=tuple(lines), currency=currency)


def _line(product: ProductSummary, quantity: int) -> CartLine:
    problem = None
    if not product.is_active:
        problem = "No longer available"
    elif product.stock_quantity <= 0:
        problem = "Sold out"
    elif quantity > product.stock_quantity:
        problem = f"Only {product.stock_quantity} left"
    return CartLine(
        product_id=product.id,
        slug=product.slug,
        name=product.name,
        sku=product.sku,
        image_url=product.image_url,
        unit_price=product.price,
        currency=product.currency,
        quantity=quantity,
        stock_quantity=product.stock_quantity,
        problem=problem,
    )


async def merge_guest_cart(guest: CartOwner, user: CartOwner) -> Cart:
    """At sign-in: the guest cart's lines join the shopper's cart (quantities summed,
    capped at stock and the per-line limit; new lines only while the cart has room); the
    guest cart is then gone. One script does it, so an add in another tab during the
    merge is neither lost nor doubled."""
    settings = get_settings()
    merge_carts = _merge_carts_script(get_redis())
    caps: dict[str, int] = {}
    fields = await get_redis().hkeys(_key(guest))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    unknown = [str(field) for field in fields]
    # Each round learns the caps of fields added since the last read: it ends, because a
    # field's cap is looked up once and a cart holds a bounded number of fields.
    while True:
        caps |= await _caps_of(unknown)
        unknown = await merge_carts(
            keys=[_key(guest), _key(user), ACTIVITY_KEY, _contact_key(guest)],
            args=[
                settings.cart_max_lines,
                _ttl_seconds(),
                repr(utcnow().timestamp()),
                guest.key,
                user.key,
                *(item for pair in caps.items() for item in pair),
            ],
        )
        if not unknown:
            return await get_cart(user)


async def _caps_of(fields: list[str]) -> dict[str, int]:
    """{cart field: the most of it a cart may hold now}; 0 for what is not sold (or not
    a product id at all)."""
    ids: dict[str, uuid.UUID] = {}
    for field in fields:
        try:
            ids[field] = uuid.UUID(field)
        except ValueError:
            continue
    products = await catalog.get_product_summaries(list(ids.values()))
    caps = {}
    for field in fields:
        product = products.get(ids[field]) if field in ids else None
        caps[field] = max(_limit_for(product), 0) if product and product.is_active else 0
    return caps


async def clear_cart(owner: CartOwner) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(_key(owner), _contact_key(owner))
        pipe.zrem(ACTIVITY_KEY, owner.key)
        await pipe.execute()


async def held_quantities(owner: CartOwner) -> dict[uuid.UUID, int]:
    """{product id: quantity} as stored, without reading the catalog."""
    return await _quantities(owner)


async def set_contact_email(owner: CartOwner, email: str) -> None:
    """A guest's e-mail from the checkout form (validated by the caller), kept as long as
    the cart."""
    await get_redis().set(_contact_key(owner), email, ex=_ttl_seconds())


async def forget_contact_email(owner: CartOwner) -> None:
    await get_redis().delete(_contact_key(owner))


async def contact_email(owner: CartOwner) -> str | None:
    value = await get_redis().get(_contact_key(owner))
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


async def forget_lines(owner: CartOwner, product_ids: list[uuid.UUID]) -> None:
    """Take bought products out of a cart (after their order is paid)."""
    if product_ids:
        await get_redis().hdel(_key(owner), *(str(p) for p in product_ids))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
