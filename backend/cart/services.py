"""Cart use cases: add, change, remove, show, merge at sign-in.

Redis layout: one hash per cart, `cart:<owner>` → {product id: quantity}, expiring after
CART_TTL_DAYS without a change. Adding reads the product once (one SQL statement by
primary key), so the quantity is capped at the stock and the per-line limit right away.
Every change also stamps the owner in one sorted set, `cart-activity` (owner → when its
cart last changed), so abandoned carts are found without scanning (`backend/cart_recovery`);
a guest's checkout e-mail waits in `cart-contact:<owner>` with the cart's lifetime.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime

from backend.cart.schemas import Cart, CartChange, CartLine, CartOwner
from backend.catalog import queries as catalog
from backend.catalog.schemas import ProductSummary
from backend.core.clock import utcnow
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.core.redis import get_redis
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
NOT_SOLD = "This product is no longer sold."


class SoldOutError(DomainError):
    code = "sold_out"


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
    raw = await get_redis().hgetall(_key(owner))
    quantities: dict[uuid.UUID, int] = {}
    for product_id, quantity in raw.items():
        try:
            quantities[uuid.UUID(product_id)] = int(quantity)
        except ValueError:
            continue  # never written by us: ignore
    return quantities


async def _store(owner: CartOwner, product_id: uuid.UUID, quantity: int) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        if quantity > 0:
            pipe.hset(_key(owner), str(product_id), quantity)
        else:
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


async def add_item(owner: CartOwner, product_id: uuid.UUID, quantity: int = 1) -> CartChange:
    """Put `quantity` more of a product in the cart, capped at what can be bought."""
    _check_quantity(quantity)
    if quantity == 0:
        raise InvalidInputError("Choose a quantity of 1 or more.", {"quantity": "At least 1."})
    product = await _sellable(product_id)
    held = await _quantities(owner)
    if product_id not in held and len(held) >= get_settings().cart_max_lines:
        raise InvalidInputError(
            f"Your cart is full ({len(held)} different products). Check out or remove some."
        )
    wanted = held.get(product_id, 0) + quantity
    limit = _limit_for(product)
    stored = min(wanted, limit)
    await _store(owner, product_id, stored)
    message = _message(product, stored, wanted, done=f"Added {product.name} to your cart.")
    return CartChange(cart=await get_cart(owner), message=message)


async def set_quantity(owner: CartOwner, product_id: uuid.UUID, quantity: int) -> CartChange:
    """Change a line's quantity (0 removes it), capped at what can be bought."""
    _check_quantity(quantity)
    if quantity == 0:
        return await remove_item(owner, product_id)
    product = (await catalog.get_product_summaries([product_id])).get(product_id)
    if product is None or not product.is_active:
        await _store(owner, product_id, 0)
        return CartChange(cart=await get_cart(owner), message=NOT_SOLD)
    stored = min(quantity, max(_limit_for(product), 0))
    await _store(owner, product_id, stored)
    message = _message(product, stored, quantity, done=f"Updated {product.name}.")
    return CartChange(cart=await get_cart(owner), message=message)


async def remove_item(owner: CartOwner, product_id: uuid.UUID) -> CartChange:
    await _store(owner, product_id, 0)
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
            await _store(owner, product_id, 0)  # deleted from the catalog: forget it
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
    capped at stock and the per-line limit); the guest cart is then gone."""
    guest_lines = await _quantities(guest)
    if guest_lines:
        user_lines = await _quantities(user)
        products = await catalog.get_product_summaries(list(guest_lines))
        for product_id, quantity in guest_lines.items():
            product = products.get(product_id)
            if product is None or not product.is_active:
                continue
            total = user_lines.get(product_id, 0) + quantity
            capped = min(total, _limit_for(product))
            if capped > 0:
                await _store(user, product_id, capped)
    await clear_cart(guest)
    return await get_cart(user)


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
    await get_redis().eval(  # type: ignore[misc]
        _FORGET_IF_UNCHANGED, 1, ACTIVITY_KEY, owner.key, repr(changed.timestamp())
    )


async def forget_lines(owner: CartOwner, product_ids: list[uuid.UUID]) -> None:
    """Take bought products out of a cart (after their order is paid)."""
    if product_ids:
        await get_redis().hdel(_key(owner), *(str(p) for p in product_ids))
