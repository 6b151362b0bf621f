"""A browser tab against the end of its session, replayed over the real websocket.

Reflex keeps UI state per tab token, not per session, so a tab outlives the sign-in it was
opened with. Two attacks (tests/fixtures/hostile_client.py speaks the real protocol):

- A shopper checks out in a tab and leaves an unpaid order; the session is signed out and
  the next person uses the same tab (same tab token, same browser's cart cookie, no
  session cookie). They must receive nothing of the shopper (e-mail, name, address,
  phone, order number) and must not be able to pay for or cancel the shopper's order.
- A signed-in tab whose session is revoked elsewhere (sign-out in another tab, a password
  change, an admin's lock) must read no private data from its very next event: no
  waiting for a periodic re-check.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx
import pytest

from backend.accounts import addresses, authentication, browser_sessions, password_changes, staff
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog import queries as catalog_queries
from backend.orders import queries as order_queries
from backend.payments.queries import get_order_with_payments
from backend.payments.test_gateway import DECLINED, SUCCEEDS
from backend.settings import get_settings
from storefront.pages.account import AccountState
from storefront.pages.checkout import CheckoutState
from storefront.pages.orders import OrderHistoryState, OrderState
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for, run
from tests.fixtures.hostile_client import ROOT_STATE, HostileBrowser, Received, event_name
from ui.access import SessionState

T = TypeVar("T")

SESSION_STATE = SessionState.get_full_name()


def browse(
    base_url: str,
    scenario: Callable[[HostileBrowser], Awaitable[T]],
    **options: Any,
) -> T:
    """One async scenario with one hostile tab, in a fresh event loop on its own thread."""

    async def session() -> T:
        async with HostileBrowser(base_url, **options) as browser:
            return await scenario(browser)

    return run(session)


def app_data(messages: Iterable[Received]) -> str:
    """What the app itself sent: every state's delta and every event (redirects, toasts).

    The root state only echoes the router data the client sent (the page path, which may
    name an order), so it is left out.
    """
    parts = []
    for message in messages:
        delta = {name: values for name, values in message.delta.items() if name != ROOT_STATE}
        parts.append(json.dumps([delta, message.events], default=str, ensure_ascii=False))
    return "\n".join(parts)


def signed_in_flag(browser: HostileBrowser) -> Any:
    return browser.merged_state().get(SESSION_STATE, {}).get("signed_in_rx_state_")


async def reopen_same_tab(browser: HostileBrowser, path: str) -> None:
    """Hydrate `path` with the tab token of an earlier connection.

    The server frees a token shortly after its socket closed; until then it hands out a
    new token (a fresh state), which would prove nothing.
    """
    for _ in range(50):
        await browser.hydrate(path)
        if not any(m.event == "new_token" for m in browser.messages):
            return
        await browser.close()
        browser.messages.clear()
        await asyncio.sleep(0.2)
    raise AssertionError("the tab token stayed taken")


def cart_cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{get_settings().cart_cookie_name}={token}"}


def session_cookie(token: str) -> dict[str, str]:
    return {get_settings().session_cookie_name: token}


def product_id_of(slug: str) -> uuid.UUID:
    async def find() -> uuid.UUID:
        return (await catalog_queries.get_product_page(slug)).summary.id

    return run(find)


# --- a signed-out tab keeps nothing of its viewer ----------------------------------------


@pytest.mark.parametrize("attack", ["pay", "cancel"])
def test_the_next_person_on_a_signed_out_tab_gets_nothing_of_the_shopper(
    live_shop: str, attack: str
) -> None:
    unique = uuid.uuid4().hex[:10]
    email = create_account(f"tab{unique}", roles=frozenset({RoleName.USER}))
    signed_in = run(lambda: authentication.sign_in(email=email, password=PASSWORD))
    user_id = signed_in.viewer.user_id
    product_id = product_id_of(create_product(f"tab{unique}", price="30.00", stock=10))
    browser_cart = cart_owners.new_guest_token()  # the browser's own cart cookie, kept all along

    async def fill_carts() -> None:
        await carts.add_item(cart_owners.user_owner(user_id), product_id, 1)
        guest = cart_owners.guest_owner(browser_cart)
        assert guest is not None
        await carts.add_item(guest, product_id, 1)  # what the next person wants to buy

    run(fill_carts)
    # What only the shopper typed: it must never reach the next person.
    private = {
        "e-mail": email,
        "name": f"Vera Private{unique}",
        "address": f"{unique} Hidden Lane",
        "phone": "+1555" + f"{int(unique[:6], 16) % 10**7:07d}",
    }
    form = {
        "email": private["e-mail"],
        "full_name": private["name"],
        "line1": private["address"],
        "line2": "",
        "city": "Springfield",
        "region": "",
        "postal_code": "12345",
        "country": "US",
        "phone": private["phone"],
        "shipping_method": "standard",
        "discount_code": "",
    }
    tab = str(uuid.uuid4())  # the per-tab token, kept in the tab's sessionStorage

    async def as_shopper(browser: HostileBrowser) -> str:
        await browser.hydrate("/checkout")
        await browser.call(event_name(CheckoutState, "review"), {"form_data": form})
        # A declined card: the order is placed and waits, unpaid, for another try.
        await browser.call(
            event_name(CheckoutState, "pay"), {"form_data": {"card_number": DECLINED}}
        )
        placed = await order_queries.list_orders(user_id)
        assert [o.payment_status for o in placed.items] == ["failed"], placed.items
        number = placed.items[0].number
        await browser.hydrate(f"/orders/{number}")  # the order page, with its address
        shown = app_data(browser.messages)
        for what, value in private.items():
            if what != "phone":  # the order page shows no phone; the checkout form does
                assert value in shown, f"setup: the shopper's tab should hold their {what}"
        assert number in shown
        return number

    number = browse(
        live_shop,
        as_shopper,
        session_cookie=signed_in.session_token,
        token=tab,
        extra_headers=cart_cookie(browser_cart),
    )
    private["order number"] = number

    # Sign out the way the page does: the form post revokes the session, clears the cookie.
    origin = live_shop.rstrip("/")
    with httpx.Client(cookies=session_cookie(signed_in.session_token)) as client:
        signed_out = client.post(f"{origin}/auth/sign-out", headers={"Origin": origin})
    assert signed_out.status_code == 303
    assert run(lambda: browser_sessions.resolve_session(signed_in.session_token)) is None

    stranger_form = form | {
        "email": f"stranger-{unique}@example.com",
        "full_name": "Sam Stranger",
        "line1": "9 Other Street",
        "phone": "",
    }

    async def next_person(browser: HostileBrowser) -> tuple[str, str, Any]:
        await reopen_same_tab(browser, "/")
        hydration = app_data(browser.messages)
        if attack == "pay":
            # The old checkout's key would find the shopper's order: pay it, open it.
            await browser.call(
                event_name(CheckoutState, "pay"),
                {"form_data": {"card_number": SUCCEEDS}},
                path="/checkout",
            )
        else:
            # New details start a new order and cancel "the old attempt"; the order page
            # cancels the order it shows.
            await browser.call(
                event_name(CheckoutState, "review"), {"form_data": stranger_form}, path="/checkout"
            )
            await browser.call(event_name(OrderState, "cancel"), path=f"/orders/{number}")
        return hydration, app_data(browser.messages), signed_in_flag(browser)

    hydration, everything, signed_in_now = browse(
        live_shop, next_person, token=tab, extra_headers=cart_cookie(browser_cart)
    )
    order = run(lambda: get_order_with_payments(number))
    seen = {
        "signed in": signed_in_now,
        "shopper's data in the hydration": [w for w, v in private.items() if v in hydration],
        "shopper's data anywhere": [w for w, v in private.items() if v in everything],
        "order": (order.status, order.payment_status, len(order.transactions)),
    }
    assert seen == {
        "signed in": False,
        "shopper's data in the hydration": [],
        "shopper's data anywhere": [],
        "order": ("pending_payment", "failed", 1),  # only the shopper's declined attempt
    }


# --- revocation takes effect at once -------------------------------------------------------

NEW_PASSWORD = "an entirely new passphrase 42"


@pytest.mark.parametrize("revocation", ["sign-out elsewhere", "password change", "admin lock"])
def test_a_revoked_session_reads_no_private_data_from_its_next_event(
    live_shop: str, revocation: str
) -> None:
    unique = uuid.uuid4().hex[:10]
    email = create_account(f"rev{unique}", roles=frozenset({RoleName.USER}))
    signed_in = run(lambda: authentication.sign_in(email=email, password=PASSWORD))
    user_id = signed_in.viewer.user_id
    number, _total = place_order_for(email, create_product(f"rev{unique}"), paid=False)
    saved_line = f"{unique} Secret Road"
    run(
        lambda: addresses.add_address(
            user_id,
            {
                "full_name": "Erin Tester",
                "line1": saved_line,
                "city": "Springfield",
                "postal_code": "12345",
                "country": "US",
                "is_default": True,
            },
        )
    )
    admin_email = create_account(f"adm{unique}", roles=frozenset({DefaultGroup.ADMINISTRATORS}))
    admin = run(lambda: authentication.sign_in(email=admin_email, password=PASSWORD)).viewer
    private = {"order number": number, "e-mail": email, "saved address": saved_line}
    origin = live_shop.rstrip("/")

    async def revoke() -> None:
        if revocation == "sign-out elsewhere":  # another tab of the browser signs out
            async with httpx.AsyncClient(cookies=session_cookie(signed_in.session_token)) as client:
                response = await client.post(f"{origin}/auth/sign-out", headers={"Origin": origin})
            assert response.status_code == 303
        elif revocation == "password change":  # on another device: this sign-in ends
            other = await authentication.sign_in(email=email, password=PASSWORD)
            await password_changes.change_password(
                user_id,
                current_password=PASSWORD,
                new_password=NEW_PASSWORD,
                keep_session_token=other.session_token,
            )
        else:
            await staff.set_locked(admin, user_id, locked=True)
        assert await browser_sessions.resolve_session(signed_in.session_token) is None

    # Handlers that read the viewer's private data: public pages that show the viewer's
    # own things, and signed-in pages.
    readers = [
        (OrderState, "load", f"/orders/{number}"),
        (CheckoutState, "load", "/checkout"),
        (AccountState, "load", "/account"),
        (OrderHistoryState, "load", "/account/orders"),
    ]

    async def scenario(browser: HostileBrowser) -> tuple[str, str, Any]:
        await browser.hydrate("/")
        start = len(browser.messages)
        for state_cls, handler, path in readers:
            await browser.call(event_name(state_cls, handler), path=path)
        before = app_data(browser.messages[start:])
        await revoke()
        start = len(browser.messages)  # at once: no pause between the revocation and this
        for state_cls, handler, path in readers:
            await browser.call(event_name(state_cls, handler), path=path)
        return before, app_data(browser.messages[start:]), signed_in_flag(browser)

    before, after, signed_in_now = browse(
        live_shop, scenario, session_cookie=signed_in.session_token
    )
    assert [w for w, v in private.items() if v not in before] == [], "setup: the tab reads them"
    assert {
        "signed in": signed_in_now,
        "private data after the revocation": [w for w, v in private.items() if v in after],
    } == {"signed in": False, "private data after the revocation": []}
