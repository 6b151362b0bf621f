"""The Stripe gateway against localstripe, and the webhook endpoint with signed payloads."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
import stripe
from fastapi import FastAPI
from sqlmodel import select

from api.payment_routes import router as payment_router
from backend.core.db import session_scope
from backend.orders.models import Order
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments.gateway import offered_test_cards
from backend.payments.models import PaymentTransaction, WebhookEvent
from backend.payments.queries import get_order_with_payments
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed
from tests.fixtures.stripe import stripe_signature

pytestmark = pytest.mark.usefixtures("stripe_settings")


def payment_method(localstripe: str, number: str) -> str:
    client = stripe.StripeClient("sk_test_kestrel", base_addresses={"api": localstripe})
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        }
    )
    return str(method.id)


async def state(order_id: uuid.UUID) -> tuple[str, str, Decimal]:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order.status, order.payment_status, order.refunded_amount


async def payment_reference(order_id: uuid.UUID) -> str:
    async with session_scope() as session:
        transaction = (
            await session.exec(
                select(PaymentTransaction).where(
                    PaymentTransaction.order_id == order_id, PaymentTransaction.kind == "payment"
                )
            )
        ).first()
    assert transaction is not None
    assert transaction.gateway == "stripe"
    return str(transaction.reference)


@pytest.fixture
async def order(make_product: MakeProduct, place_order: PlaceOrder) -> uuid.UUID:
    item = await make_product(price=Decimal("60.00"), stock_quantity=5)
    return (await place_order({item: 2})).id  # 120.00


async def test_a_stripe_payment_succeeds_and_refunds_partially_then_fully(
    order: uuid.UUID, localstripe: str
) -> None:
    outcome = await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=payment_method(localstripe, "4242424242424242"),
        attempt_key="s1",
    )

    assert outcome.status == "succeeded"
    assert await state(order) == ("paid", "paid", Decimal(0))
    assert (await payment_reference(order)).startswith("pi_")
    await payment_refunds.refund_order(
        order, amount=Decimal("20.00"), request_key="r1", actor="admin"
    )
    assert await state(order) == ("paid", "partially_refunded", Decimal("20.00"))
    await payment_refunds.refund_order(order, amount=None, request_key="r2", actor="admin")
    assert await state(order) == ("paid", "refunded", Decimal("120.00"))


async def test_a_stripe_order_is_no_test_payment_and_no_test_cards_are_offered(
    order: uuid.UUID, localstripe: str
) -> None:
    await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=payment_method(localstripe, "4242424242424242"),
        attempt_key="s2",
    )
    async with session_scope() as session:
        number = (await session.get_one(Order, order)).number
    assert not (await get_order_with_payments(number)).test_payment
    assert offered_test_cards() == {}


async def test_a_stripe_decline_fails_the_payment(order: uuid.UUID, localstripe: str) -> None:
    outcome = await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=payment_method(localstripe, "4000000000000341"),
        attempt_key="d",
    )

    assert outcome.status == "failed"
    assert "declined" in outcome.message
    assert await state(order) == ("pending_payment", "failed", Decimal(0))


async def test_stripe_authentication_then_confirmation(order: uuid.UUID, localstripe: str) -> None:
    outcome = await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=payment_method(localstripe, "4000002760003184"),
        attempt_key="3",
    )
    assert outcome.status == "requires_action"
    reference = await payment_reference(order)
    async with session_scope() as session:
        secret = (
            await session.exec(
                select(PaymentTransaction.client_secret).where(
                    PaymentTransaction.reference == reference
                )
            )
        ).one()
    # What Stripe.js does in the shopper's browser, with the client secret we handed it:
    async with httpx.AsyncClient() as browser:
        answer = await browser.post(
            f"{localstripe}/v1/payment_intents/{reference}/_authenticate",
            data={"success": "true", "client_secret": str(secret)},
            headers={"Authorization": "Bearer sk_test_kestrel"},
        )
    answer.raise_for_status()

    confirmed = await payments.confirm_payment(order, shopper=tab_that_placed(order), approve=True)

    assert confirmed.status == "succeeded"
    assert (await state(order))[:2] == ("paid", "paid")


# ── Webhooks ────────────────────────────────────────────────────────────────


@pytest.fixture
async def webhook_client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(payment_router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield client


def intent_event(event_type: str, reference: str, *, created: int) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": event_type,
            "created": created,
            "data": {"object": {"id": reference, "object": "payment_intent"}},
        }
    ).encode()


async def post(client: httpx.AsyncClient, payload: bytes, signature: str) -> httpx.Response:
    return await client.post(
        "/payments/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


async def processing_order(order: uuid.UUID, localstripe: str) -> str:
    """A Stripe payment the webhooks will decide (made to wait for authentication)."""
    await payments.pay_order(
        order,
        shopper=tab_that_placed(order),
        payment_method=payment_method(localstripe, "4000002760003184"),
        attempt_key="w",
    )
    return await payment_reference(order)


async def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(
    order: uuid.UUID, localstripe: str, webhook_client: httpx.AsyncClient
) -> None:
    reference = await processing_order(order, localstripe)
    payload = intent_event("payment_intent.succeeded", reference, created=int(time.time()))

    forged = await post(webhook_client, payload, stripe_signature(payload, secret="whsec_other"))
    stale = await post(
        webhook_client, payload, stripe_signature(payload, at=int(time.time()) - 3600)
    )
    garbage = await post(webhook_client, b"not json", "t=1,v1=00")

    assert [r.status_code for r in (forged, stale, garbage)] == [400, 400, 400]
    assert forged.headers["content-type"] == "application/problem+json"
    assert (await state(order))[1] == "requires_action"


async def test_the_same_event_twice_has_one_effect(
    order: uuid.UUID, localstripe: str, webhook_client: httpx.AsyncClient
) -> None:
    reference = await processing_order(order, localstripe)
    payload = intent_event("payment_intent.succeeded", reference, created=int(time.time()))

    first = await post(webhook_client, payload, stripe_signature(payload))
    second = await post(webhook_client, payload, stripe_signature(payload))

    assert (first.status_code, first.json()["processed"]) == (200, True)
    assert (second.status_code, second.json()["processed"]) == (200, False)
    assert await state(order) == ("paid", "paid", Decimal(0))


async def test_a_sequence_replayed_twice_and_shuffled_ends_the_same(
    order: uuid.UUID, localstripe: str, webhook_client: httpx.AsyncClient
) -> None:
    reference = await processing_order(order, localstripe)
    now = int(time.time())
    sequence = [
        intent_event("payment_intent.requires_action", reference, created=now),
        intent_event("payment_intent.processing", reference, created=now + 1),
        intent_event("payment_intent.payment_failed", reference, created=now + 2),
        intent_event("payment_intent.succeeded", reference, created=now + 3),
        intent_event("charge.refund.updated", reference, created=now + 4),  # not acted on
    ]
    deliveries = sequence * 2
    random.Random(42).shuffle(deliveries)

    for payload in deliveries:
        response = await post(webhook_client, payload, stripe_signature(payload))
        assert response.status_code == 200

    # A failure then a success of one PaymentIntent: the shopper retried the card; in any
    # order of arrival the payment ends paid, once.
    assert await state(order) == ("paid", "paid", Decimal(0))
    async with session_scope() as session:
        seen = (
            await session.exec(select(WebhookEvent).where(WebhookEvent.gateway == "stripe"))
        ).all()
    assert {event.event_type for event in seen} >= {"payment_intent.succeeded"}
