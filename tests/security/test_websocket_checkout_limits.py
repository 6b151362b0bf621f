"""Holding stock with unpaid orders over the websocket: the Reflex checkout, attacked.

The storefront's checkout is two Reflex events (review the details, then pay), and any
client can send them as often as it likes, from as many tabs as it opens, with a guest
cart cookie of its own. An attacker who does not pay (a declined test card) leaves an
unpaid order behind each time, and each holds its stock for
ORDER_PAYMENT_TIMEOUT_MINUTES. This test sends those events over the shop's real
websocket (tests/fixtures/hostile_client.py), tab after tab, and counts the orders the
database holds afterwards.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.db import session_scope
from backend.orders.models import Order
from backend.settings import get_settings
from storefront.pages.checkout import CheckoutState
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.hostile_client import FIELD_MARKER, HostileBrowser, event_name

DECLINED = "4000000000000002"
CHECKOUT = CheckoutState.get_full_name()


def _details(email: str) -> dict[str, str]:
    return {
        "email": email,
        "full_name": "Mallory Hoarder",
        "line1": "1 Market Street",
        "city": "Springfield",
        "postal_code": "12345",
        "country": "US",
        "shipping_method": "standard",
    }


async def _checkout_in_a_new_tab(base_url: str, cart_token: str, email: str) -> dict[str, Any]:
    """One tab: open /checkout with the guest cart cookie, review, pay with a declined
    card (nothing is paid). Returns what the tab's checkout state shows."""
    cookie = f"{get_settings().cart_cookie_name}={cart_token}"
    async with HostileBrowser(base_url, extra_headers={"Cookie": cookie}) as tab:
        await tab.hydrate("/checkout")
        await tab.call(
            event_name(CheckoutState, "review"), {"form_data": _details(email)}, path="/checkout"
        )
        reviewed = tab.merged_state().get(CHECKOUT, {})
        assert reviewed.get(f"step{FIELD_MARKER}") == "review", reviewed  # the test reached pay
        await tab.call(event_name(CheckoutState, "pay"), {"form_data": {"card_number": DECLINED}})
        return tab.merged_state().get(CHECKOUT, {})


async def _guest_cart(product_id: uuid.UUID) -> str:
    """A guest cart token (what the shop's cookie holds) with one product in its cart."""
    token = cart_owners.new_guest_token()
    owner = cart_owners.guest_owner(token)
    assert owner is not None
    await carts.add_item(owner, product_id, 1)
    return token


async def _unpaid_orders(*, cart_token: str | None = None, email: str | None = None) -> int:
    query = select(func.count()).where(Order.status == "pending_payment")
    if cart_token is not None:
        query = query.where(Order.cart_key == f"guest:{cart_token}")
    if email is not None:
        query = query.where(func.lower(Order.email) == email.lower())
    async with session_scope() as session:
        return (await session.exec(query)).one()


async def test_one_guest_session_and_one_email_stop_at_three_unpaid_orders(
    live_shop: str, make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(stock_quantity=50)
    hoarder_email = f"hoarder-{unique}@example.com"
    session = await _guest_cart(product)

    # Tab after tab from one browser session (one cart cookie): each leaves an unpaid order.
    shown = [await _checkout_in_a_new_tab(live_shop, session, hoarder_email) for _ in range(5)]

    assert await _unpaid_orders(cart_token=session) == 3
    for refused in shown[3:]:
        assert "waiting for payment" in refused.get(f"message{FIELD_MARKER}", ""), refused

    # A fresh cookie (a new session) typing the same e-mail address is stopped as well…
    other_session = await _guest_cart(product)
    again = await _checkout_in_a_new_tab(live_shop, other_session, hoarder_email)
    assert "waiting for payment" in again.get(f"message{FIELD_MARKER}", ""), again
    assert await _unpaid_orders(email=hoarder_email) == 3

    # …while that session with another address still checks out: the limits are per
    # session and per address, not a lock on the shop.
    await _checkout_in_a_new_tab(live_shop, other_session, f"other-{unique}@example.com")
    assert await _unpaid_orders(cart_token=other_session) == 1
