"""The built-in test gateway: what a card payment does, without a provider account.

It behaves like Stripe's test mode for Stripe's test card numbers, and keeps its state in
Redis (so every web process and worker sees the same payments):

    4242 4242 4242 4242   succeeds
    4000 0000 0000 0002   is declined
    4000 0000 0000 9995   fails: insufficient funds
    4000 0027 6000 3184   needs the shopper to confirm it (3-D Secure) on a page
    4000 0000 0000 0077   is accepted as "processing" and succeeds later, announced by a
                          notification that goes through the same path as a webhook

Any other number is refused with a message naming these. Repeating a call with the same
idempotency key returns the first answer and changes nothing.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict

from backend.core.redis import get_redis
from backend.payments.gateway import GatewayResult
from backend.settings import get_settings

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
NEEDS_AUTHENTICATION = "4000002760003184"
SUCCEEDS_LATER = "4000000000000077"

TEST_CARDS = {
    SUCCEEDS: "succeeds",
    DECLINED: "is declined",
    INSUFFICIENT_FUNDS: "fails (insufficient funds)",
    NEEDS_AUTHENTICATION: "asks you to confirm the payment",
    SUCCEEDS_LATER: "succeeds a few seconds later",
}

_IDEMPOTENCY_TTL = 7 * 24 * 3600
_SETTLEMENTS = "testpay:settlements"  # sorted set: payment reference → due time


def _intent_key(reference: str) -> str:
    return f"testpay:intent:{reference}"


def card_digits(raw: str) -> str:
    return "".join(character for character in raw if character.isdigit())


class TestGateway:
    name = "test"

    async def _once(
        self, idempotency_key: str, compute: Callable[[], Awaitable[GatewayResult]]
    ) -> GatewayResult:
        """The stored answer for this key, or `compute()`'s, stored for next time. Two
        calls with one key at once are taken one after the other, as a real gateway does
        (both computing would act twice: a refund done, then "exceeds what is left" for
        the second, and that failure stored as the answer to both)."""
        redis = get_redis()
        stored_key = f"testpay:idempotency:{idempotency_key}"
        async with redis.lock(f"{stored_key}:lock", timeout=30, blocking_timeout=30):
            if (stored := await redis.get(stored_key)) is not None:
                return GatewayResult(**json.loads(stored))
            result = await compute()
            await redis.set(stored_key, json.dumps(asdict(result)), ex=_IDEMPOTENCY_TTL)
            return result

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        description: str,
    ) -> GatewayResult:
        return await self._once(
            idempotency_key,
            lambda: self._create(amount_minor, currency, card_digits(payment_method)),
        )

    async def _create(self, amount_minor: int, currency: str, card: str) -> GatewayResult:
        reference = "tpi_" + secrets.token_hex(12)
        if card == DECLINED:
            return await self._save(
                reference,
                amount_minor,
                currency,
                GatewayResult("failed", reference, "card_declined", "Your card was declined."),
            )
        if card == INSUFFICIENT_FUNDS:
            return await self._save(
                reference,
                amount_minor,
                currency,
                GatewayResult(
                    "failed", reference, "insufficient_funds", "Your card has insufficient funds."
                ),
            )
        if card == NEEDS_AUTHENTICATION:
            return await self._save(
                reference,
                amount_minor,
                currency,
                GatewayResult("requires_action", reference, client_secret=f"{reference}_secret"),
            )
        if card == SUCCEEDS_LATER:
            result = await self._save(
                reference, amount_minor, currency, GatewayResult("processing", reference)
            )
            due = time.time() + get_settings().test_gateway_async_delay_seconds
            await get_redis().zadd(_SETTLEMENTS, {reference: due})
            return result
        if card == SUCCEEDS:
            return await self._save(
                reference, amount_minor, currency, GatewayResult("succeeded", reference)
            )
        return GatewayResult(
            "failed",
            None,
            "incorrect_number",
            "This shop takes test payments only: use 4242 4242 4242 4242 (or another "
            "test card listed on this page).",
        )

    async def _save(
        self, reference: str, amount_minor: int, currency: str, result: GatewayResult
    ) -> GatewayResult:
        await get_redis().set(
            _intent_key(reference),
            json.dumps(
                {
                    "status": result.status,
                    "amount": amount_minor,
                    "currency": currency,
                    "refunded": 0,
                }
            ),
            ex=_IDEMPOTENCY_TTL,
        )
        return result

    async def confirm_payment(
        self, reference: str, *, idempotency_key: str, approve: bool = True
    ) -> GatewayResult:
        return await self._once(idempotency_key, lambda: self._confirm(reference, approve))

    async def _confirm(self, reference: str, approve: bool) -> GatewayResult:
        redis = get_redis()
        raw = await redis.get(_intent_key(reference))
        if raw is None:
            return GatewayResult("failed", reference, "unknown_payment", "This payment is unknown.")
        intent = json.loads(raw)
        if intent["status"] != "requires_action":
            return GatewayResult(intent["status"], reference)
        intent["status"] = "succeeded" if approve else "failed"
        await redis.set(_intent_key(reference), json.dumps(intent), ex=_IDEMPOTENCY_TTL)
        if approve:
            return GatewayResult("succeeded", reference)
        return GatewayResult(
            "failed",
            reference,
            "authentication_failed",
            "The payment was not confirmed with your bank. Try again or use another card.",
        )

    async def refund(
        self, reference: str, *, amount_minor: int, currency: str, idempotency_key: str
    ) -> GatewayResult:
        return await self._once(idempotency_key, lambda: self._refund(reference, amount_minor))

    async def _refund(self, reference: str, amount_minor: int) -> GatewayResult:
        redis = get_redis()
        raw = await redis.get(_intent_key(reference))
        if raw is None:
            return GatewayResult("failed", None, "unknown_payment", "This payment is unknown.")
        intent = json.loads(raw)
        if intent["status"] != "succeeded":
            return GatewayResult("failed", None, "not_paid", "Only a paid payment can be refunded.")
        if intent["refunded"] + amount_minor > intent["amount"]:
            return GatewayResult(
                "failed", None, "amount_too_large", "The refund exceeds what is left to refund."
            )
        intent["refunded"] += amount_minor
        await redis.set(_intent_key(reference), json.dumps(intent), ex=_IDEMPOTENCY_TTL)
        return GatewayResult("succeeded", "tre_" + secrets.token_hex(12))


async def due_settlements(now: float | None = None) -> list[str]:
    """Payments of the "later" card whose time has come, claimed once each (ZREM
    decides which caller owns a reference when several workers look at once)."""
    redis = get_redis()
    due = await redis.zrangebyscore(_SETTLEMENTS, 0, now if now is not None else time.time())
    claimed = []
    for reference in due:
        if await redis.zrem(_SETTLEMENTS, reference):
            raw = await redis.get(_intent_key(reference))
            if raw is not None:
                intent = json.loads(raw)
                intent["status"] = "succeeded"
                await redis.set(_intent_key(reference), json.dumps(intent), ex=_IDEMPOTENCY_TTL)
            claimed.append(reference)
    return claimed
