"""Gift cards in the cart: each one its own line (its amount and recipient), kept beside
the cart's variants in `cart-gift-cards:<owner>` → {line id: the card as JSON}, with the
cart's lifetime. Read with the cart (`queries.get_cart`); checkout turns each into an
order line, and the worker issues the card once the order is paid."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from backend.cart.schemas import CartOwner, GiftCardLine
from backend.cart.store import ACTIVITY_KEY, gift_cards_key, ttl_seconds
from backend.core.clock import utcnow
from backend.core.errors import InvalidInputError
from backend.core.redis import get_redis
from backend.giftcards.inputs import PurchaseInput, checked_amount

MAX_GIFT_CARD_LINES = 10
# One new line unless the cart holds the most it may. KEYS: the lines, the activity set.
# ARGV: line id, the card's JSON, the most lines, TTL seconds, now, the owner's key.
_ADD_LINE = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
return 1
"""
# A guest's cards join the shopper's at sign-in. KEYS: guest lines, shopper lines.
# ARGV: TTL seconds.
_MERGE_LINES = """
local lines = redis.call('HGETALL', KEYS[1])
for i = 1, #lines, 2 do redis.call('HSET', KEYS[2], lines[i], lines[i + 1]) end
if #lines > 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
return #lines / 2
"""


@lru_cache(maxsize=4)
def _add_line_script(client: Redis) -> AsyncScript:
    return client.register_script(_ADD_LINE)


@lru_cache(maxsize=4)
def _merge_lines_script(client: Redis) -> AsyncScript:
    return client.register_script(_MERGE_LINES)


def _line(line_id: str, raw: str, currency: str) -> GiftCardLine | None:
    try:
        data = json.loads(raw)
        amount = checked_amount(Decimal(data["amount"]))  # re-checked: it is charged as is
        return GiftCardLine(
            line_id=line_id,
            amount=amount,
            currency=currency,
            recipient_email=data.get("recipient_email"),
            recipient_name=data.get("recipient_name", ""),
            sender_name=data.get("sender_name", ""),
            message=data.get("message", ""),
            send_at=datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None,
        )
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None  # never written by us: ignore


async def read_gift_cards(owner: CartOwner, currency: str) -> tuple[GiftCardLine, ...]:
    raw = await get_redis().hgetall(gift_cards_key(owner))  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"
    lines = (_line(str(line_id), str(value), currency) for line_id, value in raw.items())
    return tuple(sorted((line for line in lines if line), key=lambda line: line.line_id))


async def store_gift_card(owner: CartOwner, card: PurchaseInput) -> None:
    """A new gift card line (InvalidInputError for a delivery date in the past or too far
    ahead, or a cart holding MAX_GIFT_CARD_LINES cards already)."""
    card.checked_send_at(utcnow())
    payload = {
        "amount": str(card.amount),
        "recipient_email": card.recipient_email,
        "recipient_name": card.recipient_name,
        "sender_name": card.sender_name,
        "message": card.message,
        "send_at": card.send_at.isoformat() if card.send_at else None,
    }
    added = await _add_line_script(get_redis())(
        keys=[gift_cards_key(owner), ACTIVITY_KEY],
        args=[
            uuid.uuid4().hex,
            json.dumps(payload),
            MAX_GIFT_CARD_LINES,
            ttl_seconds(),
            repr(utcnow().timestamp()),
            owner.key,
        ],
    )
    if not added:
        raise InvalidInputError(f"A cart holds at most {MAX_GIFT_CARD_LINES} gift cards.")


async def drop_gift_card(owner: CartOwner, line_id: str) -> None:
    await get_redis().hdel(gift_cards_key(owner), line_id[:64])  # type: ignore[misc]  # redis-py types its asyncio commands as "Awaitable[T] | T"


async def merge_gift_cards(guest: CartOwner, user: CartOwner) -> None:
    await _merge_lines_script(get_redis())(
        keys=[gift_cards_key(guest), gift_cards_key(user)], args=[ttl_seconds()]
    )
