"""The checkout: place an order from a cart, pay for it, and take the paid lines out of
the cart, the same for every door.

- The storefront places and pays in one step (`place_and_pay`); a bank's extra step
  (3-D Secure) comes back through `confirm_payment`.
- The REST API places (`place_order`) and pays (`pay_order`) in two requests.
- The worker forgets the paid lines on `OrderPaid` too (`forget_paid_cart_lines`), for
  payments that succeed later (provider notifications); only the first of the two takes
  lines out, so what the shopper put in the cart since stays.

Every placement passes the unpaid-order limits (`limits.py`) inside the order's own
transaction; the door says who is asking (`limits.Buyer`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.cart_recovery import reminders as cart_reminders
from backend.checkout import limits
from backend.core.errors import DomainError
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.giftcards import guessing
from backend.giftcards import purchases as gift_card_purchases
from backend.giftcards.errors import GiftCardRefusedError
from backend.giftcards.redemption import UNKNOWN_CODE
from backend.orders import fulfilment
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.inputs import CheckoutDetails
from backend.orders.ownership import Shopper
from backend.orders.services import PlacedOrder
from backend.payments import services as payments
from backend.payments.services import PaymentOutcome


@dataclass(frozen=True)
class CheckoutOutcome:
    order: PlacedOrder
    # "failed" also when the payment could not be tried; the order then waits for another.
    payment: PaymentOutcome


async def place_order(
    *,
    cart_owner: CartOwner,
    details: CheckoutDetails,
    checkout_key: str,
    user_id: uuid.UUID | None,
    client_address: str,
) -> PlacedOrder:
    """The order for this checkout: placed now from `cart_owner`'s cart, or found (the
    same `checkout_key` again places nothing). `client_address` is the caller's network
    address as the door worked it out (unknown gift card codes count against it, as
    guesses). An order a gift card paid in full leaves the cart at once. Raises
    TooManyUnpaidOrdersError over a limit, TooManyAttemptsError after too many unknown
    gift card codes, and what `orders.place_order` raises."""
    buyer = limits.Buyer(
        cart_key=cart_owner.key,
        email=details.email,
        is_guest=user_id is None,
        client_address=client_address,
    )
    if (await cart_queries.get_cart(cart_owner)).lines:
        await count_checkout_started(cart_owner)

    async def close_cart_reminders(session: AsyncSession, order_id: uuid.UUID) -> None:
        # The cart's reminder closes with the order (none is sent after this commits).
        await cart_reminders.close_reminders_for_order(
            session, cart_key=cart_owner.key, order_id=order_id, user_id=user_id
        )

    if details.gift_card_code:
        await guessing.refuse_if_guessing(client_address)
    try:
        placed = await orders.place_order(
            cart_owner=cart_owner,
            details=details,
            checkout_key=checkout_key,
            user_id=user_id,
            admit=partial(limits.admit, buyer=buyer),
            on_placed=close_cart_reminders,
        )
    except GiftCardRefusedError as error:
        if error.message == UNKNOWN_CODE:
            await guessing.count_unknown_code(client_address)
        raise
    if placed.created and placed.paid:  # a gift card paid it all
        await forget_paid_cart_lines(placed.id)
    return placed


async def count_checkout_started(cart_owner: CartOwner) -> None:
    """The funnel's checkout step for every way of placing an order: the shop's checkout
    page counts it when it opens, an API client's first order attempt counts here (a
    visitor is counted once per day and step, so both together count once)."""
    await funnel.record(FunnelStep.CHECKOUT_STARTED, cart_owner.key)


async def pay_order(
    order_id: uuid.UUID, *, shopper: Shopper, payment_method: str, attempt_key: str
) -> PaymentOutcome:
    """Charge the order (refused unless it is `shopper`'s); once it is paid, its lines
    leave the cart at once. One charge per `attempt_key`."""
    outcome = await payments.pay_order(
        order_id, shopper=shopper, payment_method=payment_method, attempt_key=attempt_key
    )
    if outcome.status == "succeeded":
        await forget_paid_cart_lines(order_id)
    return outcome


async def confirm_payment(
    order_id: uuid.UUID, *, shopper: Shopper, approve: bool
) -> PaymentOutcome:
    """The shopper's answer to the bank's extra step; a paid order's lines leave the cart."""
    outcome = await payments.confirm_payment(order_id, shopper=shopper, approve=approve)
    if outcome.status == "succeeded":
        await forget_paid_cart_lines(order_id)
    return outcome


async def place_and_pay(
    *,
    cart_owner: CartOwner,
    details: CheckoutDetails,
    checkout_key: str,
    user_id: uuid.UUID | None,
    client_address: str,
    shopper: Shopper,
    payment_method: str,
    attempt_key: str,
) -> CheckoutOutcome:
    """Place the order (`place_order`, which raises if it cannot be placed) and pay for
    it. A payment that is refused or cannot be tried leaves the order waiting for payment
    and the cart as it was: the outcome is then "failed" with the reason."""
    placed = await place_order(
        cart_owner=cart_owner,
        details=details,
        checkout_key=checkout_key,
        user_id=user_id,
        client_address=client_address,
    )
    if placed.paid:
        return CheckoutOutcome(
            placed, PaymentOutcome(placed.number, "succeeded", "Paid by gift card. Thank you!")
        )
    try:
        # The order this checkout placed (or found: its key never finds another
        # cart's or account's order) is the placer's to pay.
        payment = await pay_order(
            placed.id,
            shopper=shopper.with_opened(placed.id),
            payment_method=payment_method,
            attempt_key=attempt_key,
        )
    except DomainError as error:
        payment = PaymentOutcome(placed.number, "failed", error.message)
    return CheckoutOutcome(placed, payment)


async def forget_paid_cart_lines(order_id: uuid.UUID) -> None:
    """Take a paid order's products out of the cart it came from, once (lines added
    again afterwards stay); nothing for an order that is not paid."""
    bought = await order_queries.bought_from_cart(order_id)
    if bought is not None:
        await carts.forget_bought_lines(
            CartOwner(bought.cart_key),
            list(bought.variant_ids),
            order_id=order_id,
            gift_card_lines=list(bought.gift_card_lines),
        )


async def issue_bought_gift_cards(order_id: uuid.UUID) -> int:
    """Issue the gift cards a paid order bought (the worker, on `OrderPaid`; safe to
    repeat); each is then e-mailed on its day, and an order of gift cards alone is done.
    How many were issued now."""
    bought = await order_queries.gift_cards_bought(order_id)
    if not bought:
        return 0
    issued = await gift_card_purchases.issue_bought(bought)
    await fulfilment.complete_gift_card_order(order_id)
    return len(issued)
