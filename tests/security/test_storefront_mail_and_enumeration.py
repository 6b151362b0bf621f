"""The storefront's forms as an attacker drives them: Reflex's real websocket, by hand
(tests/fixtures/hostile_client.py), against the running shop.

The running shop trusts 127.0.0.1 as its proxy (as `./shop cluster`'s backends trust
their nginx), so each hostile tab says which visitor it is with X-Forwarded-For, as
nginx would.

- Password-reset requests are limited per visitor: one visitor asking for many resets
  does not stop another's reset e-mail.
- Sign-up answers the same whether or not the e-mail has an account (its owner is told
  by e-mail instead).
- A guest who types someone else's address at checkout, without ticking "E-mail me
  about this cart", gets that address no reminder.
- Back-in-stock confirmations cannot be used to flood one mailbox.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.cart_recovery import reminders as cart_reminders
from backend.cart_recovery.reminders import Outcome
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.models import OutboxEvent
from backend.settings import get_settings
from backend.shop_settings.values import DEFAULTS as SEEDED
from storefront.pages.checkout import CheckoutState
from storefront.pages.password_reset import ForgotPasswordState
from storefront.pages.sign_up import SignUpState
from storefront.pages.stock_notices import BackInStockState
from tests.fixtures.accounts import Credentials
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.hostile_client import FIELD_MARKER, HostileBrowser, event_name
from tests.fixtures.mail import SmtpServer
from tests.fixtures.waiting import eventually

GOOD_PASSWORD = "heron lantern cobalt"


def a_visitor() -> str:
    """A visitor's address in a /24 of its own (100.64.0.0/10)."""
    number = uuid.uuid4().int
    return f"100.{64 + number % 64}.{number // 64 % 256}.{number // 16384 % 254 + 1}"


def tab(base_url: str, visitor: str, *, cookie: str | None = None) -> HostileBrowser:
    """A browser tab whose requests reach the shop through the proxy, as `visitor`."""
    headers = {"X-Forwarded-For": visitor}
    if cookie:
        headers["Cookie"] = cookie
    return HostileBrowser(base_url, extra_headers=headers)


def vars_of(browser: HostileBrowser, state_cls: type[Any]) -> dict[str, Any]:
    """The vars of one state as the tab holds them now, by their Python names."""
    held = browser.merged_state().get(state_cls.get_full_name(), {})
    return {name.removesuffix(FIELD_MARKER): value for name, value in held.items()}


async def events_for(event_type: str, email: str) -> int:
    """How many e-mails of one kind the shop decided to send to `email`."""
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    col(OutboxEvent.event_type) == event_type,
                    func.lower(OutboxEvent.payload["email"].astext) == email.lower(),
                )
            )
        ).one()


# --- password reset: per visitor, not per proxy -------------------------------------------


async def test_one_visitors_reset_requests_do_not_stop_anothers_reset_email(
    live_shop: str, shopper: Credentials, unique: str
) -> None:
    submit = event_name(ForgotPasswordState, "submit")
    async with tab(live_shop, a_visitor()) as flooder:
        await flooder.hydrate("/forgot-password")
        for n in range(25):
            await flooder.call(submit, {"form_data": {"email": f"x{n}-{unique}@example.com"}})

    async with tab(live_shop, a_visitor()) as owner:
        await owner.hydrate("/forgot-password")
        await owner.call(submit, {"form_data": {"email": shopper.email}})

    assert await events_for("PasswordResetRequested", shopper.email) == 1


# --- sign-up: the same answer for a new and a taken e-mail -------------------------------


async def sign_up_answer(base_url: str, form: dict[str, str]) -> dict[str, Any]:
    """What a sign-up tab shows after submitting `form`: the sign-up state it holds."""
    async with tab(base_url, a_visitor()) as browser:
        await browser.hydrate("/sign-up")
        await browser.call(event_name(SignUpState, "submit"), {"form_data": form})
        return vars_of(browser, SignUpState)


async def test_sign_up_answers_the_same_for_a_new_and_a_taken_email(
    live_shop: str, mailbox: SmtpServer, unique: str
) -> None:
    email = f"owner-{unique}@example.com"
    first = await sign_up_answer(
        live_shop,
        {"username": f"owner_{unique}", "email": email, "password": GOOD_PASSWORD},
    )
    again = await sign_up_answer(
        live_shop,
        {"username": f"prober_{unique}", "email": email.upper(), "password": GOOD_PASSWORD},
    )

    assert (first["errors"], first["message"]) == ({}, "")
    assert again == first | {"registered_email": again["registered_email"]}
    assert again["registered_email"].lower() == first["registered_email"].lower()
    # The owner hears about it by e-mail: first the confirmation, then "you have an account".
    notice = await eventually(
        lambda: next(
            (m for m in mailbox.handler.to(email) if "already have an account" in m["Subject"]),
            None,
        ),
        within=30,
    )
    text = notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "/forgot-password" in text
    assert "token=" not in text


# --- cart reminders go only to a guest who asked for them --------------------------------


def checkout_form(email: str) -> dict[str, str]:
    return {
        "email": email,
        "full_name": "Ada Buyer",
        "line1": "1 Market Street",
        "line2": "",
        "city": "Springfield",
        "region": "",
        "postal_code": "12345",
        "country": "US",
        "phone": "",
        "shipping_method": "standard",
        "discount_code": "",
    }


async def guest_checkout_tab(base_url: str, make_product: MakeProduct) -> tuple[Any, Any]:
    token = cart_owners.new_guest_token()
    owner = cart_owners.guest_owner(token)
    assert owner is not None
    await carts.add_item(owner, await make_product())
    cookie = f"{get_settings().cart_cookie_name}={token}"
    return tab(base_url, a_visitor(), cookie=cookie), owner


def reminders_due() -> Any:
    return utcnow() + timedelta(minutes=SEEDED.cart_reminder_after_minutes + 1)


async def test_a_guest_typing_someone_elses_email_without_opting_in_sends_them_nothing(
    live_shop: str, make_product: MakeProduct, unique: str
) -> None:
    victim = f"victim-{unique}@example.com"
    browser, cart = await guest_checkout_tab(live_shop, make_product)
    async with browser:
        await browser.hydrate("/checkout")
        await browser.call(event_name(CheckoutState, "remember_email"), {"value": victim})
        await browser.call(
            event_name(CheckoutState, "review"), {"form_data": checkout_form(victim)}
        )
        assert vars_of(browser, CheckoutState)["step"] == "review"

    assert await cart_reminders.remind_cart(cart, now=reminders_due()) is Outcome.NO_RECIPIENT

    # A guest who ticks the box is reminded at the address they typed.
    guest = f"guest-{unique}@example.com"
    browser, cart = await guest_checkout_tab(live_shop, make_product)
    async with browser:
        await browser.hydrate("/checkout")
        await browser.call(event_name(CheckoutState, "set_cart_reminders"), {"wanted": True})
        await browser.call(event_name(CheckoutState, "review"), {"form_data": checkout_form(guest)})
    assert await cart_reminders.remind_cart(cart, now=reminders_due()) is Outcome.SENT


# --- back-in-stock confirmations cannot flood a mailbox ----------------------------------


async def test_many_back_in_stock_requests_for_one_address_send_it_at_most_a_few_emails(
    live_shop: str, make_product: MakeProduct, unique: str
) -> None:
    victim = f"victim-{unique}@example.com"
    sold_out = [await make_product(stock_quantity=0) for _ in range(20)]

    # Twenty requests for twenty products, from ten visitors (a small botnet).
    for pair in range(10):
        async with tab(live_shop, a_visitor()) as browser:
            await browser.hydrate("/")
            for product_id in sold_out[pair * 2 : pair * 2 + 2]:
                await browser.call(
                    event_name(BackInStockState, "load"),
                    # A product without options is waited for by its one variant (its id).
                    {"variant_id": str(product_id), "in_stock": False},
                )
                replies = await browser.call(
                    event_name(BackInStockState, "subscribe_guest"),
                    {"form_data": {"email": victim}},
                )
                # Every request gets the same friendly answer: nothing says "limited".
                assert "Almost done" in "".join(reply.raw for reply in replies)

    sent = await events_for("StockNoticeConfirmationRequested", victim)
    assert 1 <= sent <= 3, f"{sent} confirmation e-mails to one address"
