"""Stripe through its official SDK: PaymentIntents for payments, Refunds for refunds.

The SDK is synchronous, so calls run in a thread. `STRIPE_API_BASE` points it elsewhere
(tests use `localstripe`). Every call that can move money carries our idempotency key.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import stripe

from backend.payments.errors import GatewayUnavailableError
from backend.payments.gateway import GatewayEvent, GatewayResult, GatewayStatus
from backend.settings import get_settings

# PaymentIntent status → ours. `requires_payment_method` after a confirmation attempt
# means the card was refused.
_STATUSES: dict[str, GatewayStatus] = {
    "succeeded": "succeeded",
    "processing": "processing",
    "requires_action": "requires_action",
    "requires_confirmation": "requires_action",
    "requires_capture": "processing",
    "requires_payment_method": "failed",
    "canceled": "failed",
}
# Webhook event type → the payment status it announces.
EVENT_STATUSES: dict[str, GatewayStatus] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.processing": "processing",
    "payment_intent.requires_action": "requires_action",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "failed",
}
SIGNATURE_TOLERANCE_SECONDS = 300


def _client() -> stripe.StripeClient:
    settings = get_settings()
    key = settings.stripe_secret_key
    if key is None:
        msg = "STRIPE_SECRET_KEY is not set"
        raise RuntimeError(msg)
    if settings.stripe_api_base:
        return stripe.StripeClient(
            key.get_secret_value(), base_addresses={"api": settings.stripe_api_base}
        )
    return stripe.StripeClient(key.get_secret_value())


def _result(intent: Any) -> GatewayResult:
    data = intent.to_dict()
    status = _STATUSES.get(data.get("status", ""), "failed")
    error = data.get("last_payment_error") or {}
    failure_message = error.get("message") if status == "failed" else None
    if status == "failed" and not failure_message:
        failure_message = "Your card was declined."
    return GatewayResult(
        status=status,
        reference=data.get("id"),
        failure_code=error.get("code") if status == "failed" else None,
        failure_message=failure_message,
        client_secret=data.get("client_secret") if status == "requires_action" else None,
    )


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except stripe.CardError:
        raise
    except stripe.StripeError as error:
        raise GatewayUnavailableError(
            "The payment provider did not answer; please try again in a moment."
        ) from error


class StripeGateway:
    name = "stripe"

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        description: str,
    ) -> GatewayResult:
        """`payment_method` is a PaymentMethod id (`pm_…`) made by Stripe.js in the
        browser: card numbers never reach this server."""
        try:
            intent = await _call(
                _client().v1.payment_intents.create,
                params={
                    "amount": amount_minor,
                    "currency": currency.lower(),
                    "payment_method": payment_method,
                    "confirm": True,
                    # Shown in Stripe's dashboard next to the payment.
                    "metadata": {"order": description},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            return GatewayResult(
                "failed",
                None,
                error.code or "card_declined",
                error.user_message or "Your card was declined.",
            )
        return _result(intent)

    async def confirm_payment(
        self, reference: str, *, idempotency_key: str, approve: bool = True
    ) -> GatewayResult:
        # With Stripe the shopper answers 3-D Secure in Stripe.js; the server then reads
        # the outcome (the webhook brings it too).
        return _result(await _call(_client().v1.payment_intents.retrieve, reference))

    async def refund(
        self, reference: str, *, amount_minor: int, currency: str, idempotency_key: str
    ) -> GatewayResult:
        try:
            refund = await _call(
                _client().v1.refunds.create,
                params={"payment_intent": reference, "amount": amount_minor},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            return GatewayResult("failed", None, error.code, error.user_message)
        data = refund.to_dict()
        if data.get("status") in ("succeeded", "pending"):
            return GatewayResult("succeeded", data.get("id"))
        return GatewayResult(
            "failed", data.get("id"), data.get("failure_reason"), "The refund failed."
        )


class InvalidWebhookError(Exception):
    """The notification is not from Stripe (bad or old signature) or not JSON."""


def parse_webhook(payload: bytes, signature: str) -> GatewayEvent | None:
    """A verified Stripe event about a payment; None for event types we do not act on.
    Raises InvalidWebhookError for a bad signature, one older than the tolerance, or a
    malformed body."""
    secret = get_settings().stripe_webhook_secret
    if secret is None:
        msg = "STRIPE_WEBHOOK_SECRET is not set"
        raise InvalidWebhookError(msg)
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret.get_secret_value(), tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidWebhookError(str(error)) from error
    data = event.to_dict()
    status = EVENT_STATUSES.get(data.get("type", ""))
    intent = (data.get("data") or {}).get("object") or {}
    if status is None or not intent.get("id"):
        return None
    payment_error = intent.get("last_payment_error") or {}
    return GatewayEvent(
        id=data["id"],
        type=data["type"],
        reference=intent["id"],
        status=status,
        occurred_at=datetime.fromtimestamp(int(data.get("created", 0)), tz=UTC),
        failure_message=payment_error.get("message"),
    )
