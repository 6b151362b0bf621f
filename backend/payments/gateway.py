"""One interface for every payment provider, and the choice of provider from settings.

Amounts cross this boundary in minor units (cents). Every call that can move money
carries an idempotency key: the provider returns the first outcome again for a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from backend.settings import PaymentGatewayName, get_settings

GatewayStatus = Literal["succeeded", "requires_action", "processing", "failed"]


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    reference: str | None  # the provider's id of the payment or refund
    failure_code: str | None = None
    failure_message: str | None = None  # safe to show the shopper
    client_secret: str | None = None  # for a browser-side step (3-D Secure, Stripe.js)


@dataclass(frozen=True)
class GatewayEvent:
    """A provider's notification about a payment, verified and parsed."""

    id: str
    type: str
    reference: str  # the payment (or refund) it is about
    status: GatewayStatus
    occurred_at: datetime
    failure_message: str | None = None


class PaymentGateway(Protocol):
    name: str

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        description: str,
    ) -> GatewayResult:
        """Charge a payment method; the result may need a further step or arrive later."""

    async def confirm_payment(
        self, reference: str, *, idempotency_key: str, approve: bool = True
    ) -> GatewayResult:
        """Finish a payment after the shopper's extra step (3-D Secure)."""

    async def refund(
        self, reference: str, *, amount_minor: int, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Give back part or all of a succeeded payment."""


def get_gateway() -> PaymentGateway:
    """The gateway PAYMENT_GATEWAY names (settings choose Stripe when its key is set, the
    built-in test gateway outside production, and refuse to guess in production)."""
    # Imported here: each gateway module imports this one (and Stripe's SDK is large).
    if get_settings().payment_gateway is PaymentGatewayName.STRIPE:
        from backend.payments.stripe_gateway import StripeGateway

        return StripeGateway()
    from backend.payments.test_gateway import TestGateway

    return TestGateway()


def offered_test_cards() -> dict[str, str]:
    """The test card numbers and what each does, for the checkout page: only while the test
    gateway takes the payments (anywhere else they would be a false promise)."""
    if not get_settings().test_payments:
        return {}
    from backend.payments.test_gateway import TEST_CARDS

    return dict(TEST_CARDS)
