"""Abandoned-cart recovery: one reminder per abandoned cart, only when due, never after the
order; unsubscribing; the restore link; the recovered-revenue figure."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from backend.accounts.schemas import Viewer
from backend.analytics import cart_recovery as recovery_figures
from backend.cart import activity as cart_activity
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.cart_recovery import contacts, opt_outs, tokens
from backend.cart_recovery import reminders as cart_reminders
from backend.cart_recovery import restore as cart_restore
from backend.cart_recovery.errors import InvalidRestoreLinkError
from backend.cart_recovery.models import CartReminder
from backend.cart_recovery.reminders import Outcome
from backend.catalog import services as catalog
from backend.checkout import services as checkout
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.notifications.models import Notification
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments.test_gateway import SUCCEEDS
from backend.settings import get_settings
from backend.shop_settings.values import DEFAULTS as SEEDED
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed
from tests.fixtures.mail import SmtpServer

DELAY = timedelta(minutes=SEEDED.cart_reminder_after_minutes)


def later(extra: timedelta = timedelta(minutes=1)) -> datetime:
    """A clock past the reminder delay for carts changed just now."""
    return utcnow() + DELAY + extra


async def reminders_to(email: str) -> list[Notification]:
    async with session_scope() as session:
        rows = await session.exec(
            select(Notification).where(
                col(Notification.recipient) == email, col(Notification.template) == "cart_reminder"
            )
        )
        return list(rows.all())


async def reminder_records(cart_key: str) -> list[CartReminder]:
    async with session_scope() as session:
        rows = await session.exec(
            select(CartReminder).where(col(CartReminder.cart_key) == cart_key)
        )
        return list(rows.all())


def restore_token_in(message: Notification) -> str:
    match = re.search(r"/cart/restore\?token=(\S+)", message.body_text)
    assert match is not None, message.body_text
    return match.group(1)


def new_guest() -> CartOwner:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    return owner


async def place_from(
    owner: CartOwner, *, email: str, user_id: uuid.UUID | None = None
) -> orders.PlacedOrder:
    # Through the checkout: it closes the cart's reminder in the placing transaction.
    return await checkout.place_order(
        cart_owner=owner,
        details=checkout_details(email=email),
        checkout_key=uuid.uuid4().hex,
        user_id=user_id,
        client_address="203.0.113.7",
    )


async def test_a_cart_is_reminded_only_after_the_delay(
    shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product(), 2)

    early = await cart_reminders.send_due_reminders(utcnow() + DELAY - timedelta(minutes=1))
    assert await reminders_to(shopper_viewer.email) == []

    await cart_reminders.send_due_reminders(later())
    [message] = await reminders_to(shopper_viewer.email)
    assert message.status == "stored"  # no SMTP in these tests: the row is the message
    assert "You left something in your cart" in message.subject
    assert "2 × Test Product" in message.body_text
    assert "/cart-reminders/unsubscribe?token=" in message.body_text
    assert early.sent == 0


async def test_one_reminder_per_cart_even_when_the_job_runs_twice_at_once(
    shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product())
    now = later()

    outcomes = await asyncio.gather(
        cart_reminders.remind_cart(owner, now=now),
        cart_reminders.remind_cart(owner, now=now),
        cart_reminders.send_due_reminders(now),
        cart_reminders.send_due_reminders(now),
    )
    await cart_reminders.send_due_reminders(now)  # and once more, afterwards

    assert len(await reminders_to(shopper_viewer.email)) == 1
    assert len(await reminder_records(owner.key)) == 1
    assert outcomes[:2].count(Outcome.SENT) <= 1

    # The cart changes after its reminder: still the one reminder for this cart.
    await carts.add_item(owner, await make_product())
    changed_later = await cart_reminders.remind_cart(owner, now=later(timedelta(hours=1)))
    assert changed_later is Outcome.ALREADY_REMINDED
    assert len(await reminders_to(shopper_viewer.email)) == 1


async def test_no_reminder_once_the_order_is_placed(
    shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product())
    await place_from(owner, email=shopper_viewer.email, user_id=shopper_viewer.user_id)

    # Unpaid, so the lines are still in the cart: the order placed since its last change
    # is what counts.
    assert await cart_queries.held_quantities(owner)
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.ORDERED
    await cart_reminders.send_due_reminders(later())
    assert await reminders_to(shopper_viewer.email) == []


async def test_placing_the_order_closes_the_reminder_and_waits_for_one_being_sent(
    shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product())
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.SENT

    # A worker holding the cart's reminder lock (sending right now) makes the order wait.
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            cart_reminders._LOCK, params={"key": f"cart-reminder:{owner.key}"}
        )
        placing = asyncio.create_task(
            place_from(owner, email=shopper_viewer.email, user_id=shopper_viewer.user_id)
        )
        await asyncio.sleep(0.5)
        assert not placing.done()
    await placing

    [record] = await reminder_records(owner.key)
    assert record.close_reason == "ordered"
    assert record.closed_at is not None


async def test_a_guest_who_did_not_tick_the_box_is_not_reminded(
    make_product: MakeProduct, unique: str
) -> None:
    email = f"typed-{unique}@example.com"  # anyone can type anyone's address
    never_ticked, unticked = new_guest(), new_guest()
    for guest in (never_ticked, unticked):
        await carts.add_item(guest, await make_product())
    assert not await contacts.remember_checkout_email(never_ticked, email, opted_in=False)
    # Ticked, then unticked: the address is forgotten.
    assert await contacts.remember_checkout_email(unticked, email, opted_in=True)
    assert not await contacts.remember_checkout_email(unticked, email, opted_in=False)

    for guest in (never_ticked, unticked):
        assert await cart_reminders.remind_cart(guest, now=later()) is Outcome.NO_RECIPIENT
    assert await reminders_to(email) == []


async def test_a_guest_is_reminded_after_typing_an_email_and_ticking_the_box(
    make_product: MakeProduct, unique: str
) -> None:
    guest = new_guest()
    await carts.add_item(guest, await make_product())
    assert await cart_reminders.remind_cart(guest, now=later()) is Outcome.NO_RECIPIENT

    await carts.add_item(guest, await make_product())
    assert not await contacts.remember_checkout_email(guest, "not an address", opted_in=True)
    typed = f" Guest-{unique}@Example.com "
    assert await contacts.remember_checkout_email(guest, typed, opted_in=True)
    assert await cart_reminders.remind_cart(guest, now=later()) is Outcome.SENT
    assert len(await reminders_to(f"Guest-{unique}@example.com")) == 1


async def test_an_address_gets_one_reminder_a_day_however_many_carts_name_it(
    make_product: MakeProduct, unique: str
) -> None:
    email = f"someone-else-{unique}@example.com"  # anyone can type any address
    guests = [new_guest() for _ in range(3)]
    for guest in guests:
        await contacts.remember_checkout_email(guest, email, opted_in=True)
        await carts.add_item(guest, await make_product())

    outcomes = [await cart_reminders.remind_cart(guest, now=later()) for guest in guests]

    assert outcomes == [Outcome.SENT, Outcome.RECENTLY_REMINDED, Outcome.RECENTLY_REMINDED]
    assert len(await reminders_to(email)) == 1
    another = new_guest()  # a day later, another cart may be reminded
    await contacts.remember_checkout_email(another, email.upper(), opted_in=True)
    await carts.add_item(another, await make_product())
    assert await cart_reminders.remind_cart(another, now=later(timedelta(days=1, minutes=1))) is (
        Outcome.SENT
    )


async def test_unsubscribed_addresses_get_no_reminder(
    shopper_viewer: Viewer, make_product: MakeProduct, unique: str
) -> None:
    guest = new_guest()
    email = f"leave-me-{unique}@example.com"
    await contacts.remember_checkout_email(guest, email, opted_in=True)
    await carts.add_item(guest, await make_product())
    assert await opt_outs.unsubscribe(tokens.unsubscribe_token(email)) == email
    assert await cart_reminders.remind_cart(guest, now=later()) is Outcome.OPTED_OUT
    assert await reminders_to(email) == []

    # The account setting: off, then on again.
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product())
    await opt_outs.set_reminders_wanted(shopper_viewer.user_id, wanted=False)
    assert not await opt_outs.reminders_wanted(shopper_viewer.user_id)
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.OPTED_OUT
    await opt_outs.set_reminders_wanted(shopper_viewer.user_id, wanted=True)
    await carts.add_item(owner, await make_product())
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.SENT


async def test_the_link_restores_the_lines_at_todays_prices_and_names_unavailable_ones(
    shopper_viewer: Viewer, make_product: MakeProduct, unique: str
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    mug = await make_product(name=f"Mug {unique}", price=Decimal("8.00"))
    vase = await make_product(name=f"Vase {unique}", price=Decimal("25.00"))
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    for product, quantity in ((kettle, 2), (mug, 3), (vase, 1)):
        await carts.add_item(owner, product, quantity)
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.SENT
    [message] = await reminders_to(shopper_viewer.email)
    token = restore_token_in(message)
    admin = await catalog_manager()
    await catalog.update_product(kettle, {"price": "44.00"}, actor=admin)  # dearer today
    await catalog.set_product_active(vase, active=False, actor=admin)  # no longer sold

    browser = new_guest()  # another browser: a guest cart
    result = await cart_restore.restore_cart(token, browser)
    again = await cart_restore.restore_cart(token, browser)  # opening it twice adds nothing

    assert sorted(result.restored) == [f"Kettle {unique}", f"Mug {unique}"]
    assert result.unavailable == (f"Vase {unique}",)
    assert f"no longer available: Vase {unique}" in result.message
    assert again.unavailable == (f"Vase {unique}",)
    cart = await cart_queries.get_cart(browser)
    assert {(line.product_id, line.quantity, line.unit_price) for line in cart.lines} == {
        (kettle, 2, Decimal("44.00")),
        (mug, 3, Decimal("8.00")),
    }
    [record] = await reminder_records(owner.key)
    assert record.restored_cart_key == browser.key


async def test_expired_tampered_and_other_purpose_tokens_are_refused(
    shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, await make_product())
    assert await cart_reminders.remind_cart(owner, now=later()) is Outcome.SENT
    [message] = await reminders_to(shopper_viewer.email)
    token = restore_token_in(message)
    browser = new_guest()
    header, payload, signature = token.split(".")
    tampered_signature = (
        f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    )
    other_reminder = tokens.restore_token(uuid.uuid4())  # signed, but no such reminder
    forged_payload = f"{header}.{tokens.restore_token(uuid.uuid4()).split('.')[1]}.{signature}"

    refused = [
        tampered_signature,
        forged_payload,
        other_reminder,
        tokens.unsubscribe_token(shopper_viewer.email),  # another purpose
        "",
        "x" * 5000,
    ]
    for bad in refused:
        with pytest.raises(InvalidRestoreLinkError):
            await cart_restore.restore_cart(bad, browser)
    with pytest.raises(InvalidRestoreLinkError):  # past its 14 days
        await cart_restore.restore_cart(
            token, browser, now=utcnow() + DELAY + tokens.RESTORE_LINK_TTL + timedelta(hours=1)
        )
    assert await opt_outs.unsubscribe(token) is None  # a restore link does not unsubscribe
    assert await opt_outs.unsubscribe(tampered_signature) is None
    assert await cart_queries.get_cart(browser) == await cart_queries.get_cart(
        None
    )  # nothing restored
    [record] = await reminder_records(owner.key)
    assert record.restored_at is None


async def test_recovered_revenue_counts_paid_orders_from_restored_carts_exactly(
    make_product: MakeProduct, unique: str
) -> None:
    # The job's clock runs past the delay, hours ahead: the reminders may be sent tomorrow.
    days = (utcnow().date(), later(timedelta(hours=1)).date())
    before = await recovery_figures.recovery_between(*days)
    lamp = await make_product(name=f"Lamp {unique}", price=Decimal("33.33"))
    rug = await make_product(name=f"Rug {unique}", price=Decimal("19.99"))

    async def reminded_cart(product: uuid.UUID, quantity: int) -> tuple[str, str]:
        email = f"r-{uuid.uuid4().hex[:8]}-{unique}@example.com"
        guest = new_guest()
        await contacts.remember_checkout_email(guest, email, opted_in=True)
        await carts.add_item(guest, product, quantity)
        assert await cart_reminders.remind_cart(guest, now=later()) is Outcome.SENT
        return email, restore_token_in((await reminders_to(email))[0])

    # 1. Restored in another browser, ordered there and paid: recovered.
    paid_email, paid_token = await reminded_cart(lamp, 3)
    browser = new_guest()
    await cart_restore.restore_cart(paid_token, browser)
    recovered = await place_from(browser, email=paid_email)
    await payments.pay_order(
        recovered.id,
        shopper=tab_that_placed(recovered.id),
        payment_method=SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    # A second order from the same browser: a reminder recovers one order only.
    await carts.add_item(browser, rug, 1)
    second = await place_from(browser, email=paid_email)
    await payments.pay_order(
        second.id,
        shopper=tab_that_placed(second.id),
        payment_method=SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    # 2. Restored and ordered, never paid: not revenue.
    unpaid_email, unpaid_token = await reminded_cart(rug, 2)
    other_browser = new_guest()
    await cart_restore.restore_cart(unpaid_token, other_browser)
    await place_from(other_browser, email=unpaid_email)
    # 3. Reminded, never restored, ordered and paid from the original cart: not recovered.
    await reminded_cart(rug, 1)
    unrelated = new_guest()
    await carts.add_item(unrelated, rug, 1)
    not_recovered = await place_from(unrelated, email="someone@example.com")
    await payments.pay_order(
        not_recovered.id,
        shopper=tab_that_placed(not_recovered.id),
        payment_method=SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )

    after = await recovery_figures.recovery_between(*days)
    assert recovered.total == Decimal("99.99")  # 3 × 33.33, free shipping from 75, no US tax
    assert after.reminders_sent - before.reminders_sent == 3
    assert after.carts_restored - before.carts_restored == 2
    assert after.recovered_orders - before.recovered_orders == 1
    assert after.recovered_revenue - before.recovered_revenue == Decimal("99.99")


async def test_a_refused_reminder_is_tried_again_and_given_up_after_the_attempt_limit(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, make_product: MakeProduct, unique: str
) -> None:
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    try:
        guest = new_guest()
        email = f"bounce-{unique}@example.com"  # the test SMTP server refuses these
        await contacts.remember_checkout_email(guest, email, opted_in=True)
        await carts.add_item(guest, await make_product())
        limit = get_settings().event_max_attempts

        outcomes = [await cart_reminders.remind_cart(guest, now=later()) for _ in range(limit)]

        assert outcomes == [Outcome.SEND_FAILED] * (limit - 1) + [Outcome.GAVE_UP]
        assert await reminder_records(guest.key) == []  # rolled back with each failed send
        [message] = await reminders_to(email)  # one message, tried `limit` times
        assert (message.status, message.attempts) == ("failed", limit)
        assert await cart_activity.changed_at(guest) is None  # no longer looked at
    finally:
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()
