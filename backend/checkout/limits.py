"""Who may place one more unpaid order.

Every order is placed unpaid, and from that moment it holds its stock and one use of its
discount code until it is paid, cancelled or expires (the unpaid-order timeout in
Admin → Settings).
Without limits anybody could hold a shop's stock and use up its codes without paying.
Three limits, checked inside the placement's transaction before anything is reserved:

- a session (the cart the order is placed from: a guest's cookie, or an account) holds
  at most CHECKOUT_MAX_UNPAID_ORDERS_PER_SESSION unpaid orders at a time;
- a guest's e-mail address is on at most CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL unpaid
  orders. Only guests are limited by the address they type: anybody can type anybody's,
  and an account's own orders are limited as its session, so typing a customer's
  address does not stop that customer's account from buying;
- a network address places at most CHECKOUT_ORDERS_PER_NETWORK_ADDRESS orders in a
  moving window (Redis, the `limits` library): new cookies and new e-mail addresses
  cost an attacker nothing, their address does.

A retry of the same checkout finds its order before these run, and paying (again, after
a decline) places nothing: only new orders count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.checkout.errors import TooManyUnpaidOrdersError
from backend.core import rate_limits
from backend.core.clock import utcnow
from backend.core.rate_limits import RateLimit
from backend.orders import holds
from backend.settings import get_settings
from backend.shop_settings.values import store_settings


@dataclass(frozen=True)
class Buyer:
    """Who places the order, as the door that asks knows them."""

    cart_key: str  # the session: the cart's owner key (guest cookie or account)
    email: str  # the address on the order
    is_guest: bool  # no account: the e-mail address typed is limited too
    client_address: str  # the caller's network address, worked out by the door


@lru_cache(maxsize=4)
def _per_network_address(rule: str) -> RateLimit:
    return RateLimit("checkout-orders-address", rule)  # one object per rule: parsed once


def orders_per_network_address() -> RateLimit:
    return _per_network_address(get_settings().checkout_orders_per_network_address)


def _seconds_until(moment: datetime | None) -> int:
    if moment is None:
        return 60
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


async def _held_too_many(count: int, whose: str, first_expiry: datetime | None) -> None:
    minutes = (await store_settings()).order_payment_timeout_minutes
    raise TooManyUnpaidOrdersError(
        f"There are already {count} orders waiting for payment {whose}. Pay for one of "
        f"them or cancel it before placing another; unpaid orders are cancelled after "
        f"{minutes} minutes.",
        retry_after=_seconds_until(first_expiry),
    )


async def admit(session: AsyncSession, *, buyer: Buyer) -> None:
    """Refuse one more order for `buyer` (TooManyUnpaidOrdersError) or count it. Runs in
    the placement's transaction (`orders.place_order(admit=...)`): the session's and the
    e-mail's counts are locked until it commits. The network address's budget is spent
    last, so an order refused for the other limits does not spend it."""
    settings = get_settings()
    held = await holds.unpaid_orders_of_cart(session, buyer.cart_key)
    if held.count >= settings.checkout_max_unpaid_orders_per_session:
        whose = "from this browser" if buyer.is_guest else "on your account"
        await _held_too_many(held.count, whose, held.first_expiry)
    if buyer.is_guest:
        held = await holds.unpaid_orders_for_email(session, buyer.email)
        if held.count >= settings.checkout_max_unpaid_orders_per_email:
            await _held_too_many(held.count, "for this e-mail address", held.first_expiry)
    limit = orders_per_network_address()
    if not await rate_limits.hit(limit, buyer.client_address):
        wait = await rate_limits.seconds_until_allowed(limit, buyer.client_address)
        raise TooManyUnpaidOrdersError(
            "Too many orders were placed from your network recently. Please try again in "
            f"{max(1, math.ceil(wait / 60))} minutes.",
            retry_after=wait,
        )
