"""What the shop's e-mailed links do, through the API: confirming an address (and asking for
a new link), resetting a forgotten password, a cart reminder's restore and unsubscribe
links, back-in-stock notices (signed in and guest, with their links) and the guest order
lookup. Tokens are read from the e-mails as the worker renders them (no SMTP in these
tests: the stored message is the e-mail)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select

from backend.accounts import authentication
from backend.accounts.models import User
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.cart_recovery import reminders as cart_reminders
from backend.cart_recovery.reminders import Outcome
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.notifications.models import Notification
from backend.settings import get_settings
from backend.shop_settings.values import DEFAULTS as SEEDED
from jobs.handlers import EVENT_HANDLERS
from tests.fixtures.accounts import PASSWORD, Credentials, MakeUser
from tests.fixtures.api_client import assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder

NEW_PASSWORD = "heron lantern cobalt"


async def viewer_of(credentials: Credentials) -> Viewer:
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def events_of(aggregate_id: str, event_type: str) -> list[OutboxEvent]:
    async with session_scope() as session:
        rows = await session.exec(
            select(OutboxEvent).where(
                OutboxEvent.aggregate_id == aggregate_id, OutboxEvent.event_type == event_type
            )
        )
        return list(rows.all())


async def user_id_of(email: str) -> str:
    async with session_scope() as session:
        return str((await session.exec(select(User.id).where(User.email == email))).one())


async def send_mails(aggregate_id: str) -> None:
    """The worker's e-mail handlers for the aggregate's events (each e-mail once)."""
    async with session_scope() as session:
        rows = (
            await session.exec(select(OutboxEvent).where(OutboxEvent.aggregate_id == aggregate_id))
        ).all()
    for row in rows:
        event = event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        for handler in EVENT_HANDLERS.get(type(event), []):
            if handler.__name__.startswith("send_"):
                await handler(event)


async def mails(to: str, template: str) -> list[Notification]:
    """Oldest first."""
    async with session_scope() as session:
        rows = await session.exec(
            select(Notification)
            .where(Notification.recipient == to, Notification.template == template)
            .order_by(col(Notification.created_at))
        )
        return list(rows.all())


def link_token(message: Notification, path: str) -> str:
    found = re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_.:-]+)", message.body_text)
    assert found is not None, message.body_text
    return found.group(1)


async def password_grant(api: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await api.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )


@pytest.fixture
def auth_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The strict per-address limit at 3 a minute (this test's address alone counts)."""
    monkeypatch.setenv("API_RATE_LIMIT_AUTH", "3/minute")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


# --- confirming an address ---------------------------------------------------------------


async def test_a_pending_shopper_asks_for_a_new_link_and_confirms_with_it(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials = await make_user(status="pending")
    user_id = await user_id_of(credentials.email)
    assert len(await events_of(user_id, "EmailVerificationRequested")) == 1  # at sign-up
    assert_problem(await password_grant(api, credentials.email, PASSWORD), 400)  # not yet

    asked = await api.post(
        "/auth/email-verification", json={"email": f"  {credentials.email.upper()} "}
    )
    assert asked.status_code == 202, asked.text
    assert "not confirmed yet" in asked.json()["detail"]
    assert len(await events_of(user_id, "EmailVerificationRequested")) == 2
    await send_mails(user_id)
    *_, newest = await mails(credentials.email, "email_verification")
    token = link_token(newest, "/verify-email")

    confirmed = await api.post("/auth/email-verification/confirm", json={"token": token})
    assert confirmed.status_code == 204, confirmed.text
    assert (await password_grant(api, credentials.email, PASSWORD)).status_code == 200
    again = await api.post("/auth/email-verification/confirm", json={"token": token})
    assert set(assert_problem(again, 400)["errors"]) == {"token"}


async def test_asking_for_a_confirmation_link_tells_nothing_about_accounts(
    api: httpx.AsyncClient, make_user: MakeUser, unique: str
) -> None:
    confirmed = await make_user()  # active, address confirmed
    nobody = f"nobody-{unique}@example.com"
    answers = [
        await api.post("/auth/email-verification", json={"email": email})
        for email in (confirmed.email, nobody)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    user_id = await user_id_of(confirmed.email)
    assert await events_of(user_id, "EmailVerificationRequested") == []  # nothing to confirm

    malformed = await api.post("/auth/email-verification", json={"email": "not an address"})
    assert set(assert_problem(malformed, 400)["errors"]) == {"email"}
    unknown = await api.post("/auth/email-verification/confirm", json={"token": "made-up"})
    assert set(assert_problem(unknown, 400)["errors"]) == {"token"}
    empty = await api.post("/auth/email-verification/confirm", json={"token": ""})
    assert "token" in assert_problem(empty, 400)["errors"]


# --- a forgotten password ----------------------------------------------------------------


async def test_a_shopper_resets_a_forgotten_password_with_the_emailed_token(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials = await make_user()
    user_id = await user_id_of(credentials.email)

    asked = await api.post("/auth/password-reset", json={"email": credentials.email})
    assert asked.status_code == 202, asked.text
    assert asked.json()["email"] == credentials.email
    await send_mails(user_id)
    [message] = await mails(credentials.email, "password_reset")
    token = link_token(message, "/reset-password")

    weak = await api.post("/auth/password-reset/confirm", json={"token": token, "password": "x"})
    assert set(assert_problem(weak, 400)["errors"]) == {"password"}
    # Refused: the old password still works and the link can still be used.
    assert (await password_grant(api, credentials.email, PASSWORD)).status_code == 200

    done = await api.post(
        "/auth/password-reset/confirm",
        json={"token": token, "password": NEW_PASSWORD},
        headers=with_key({}),
    )
    assert done.status_code == 204, done.text
    assert_problem(await password_grant(api, credentials.email, PASSWORD), 400)
    assert (await password_grant(api, credentials.email, NEW_PASSWORD)).status_code == 200

    spent = await api.post(
        "/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD + "!"}
    )
    body = assert_problem(spent, 400)
    assert set(body["errors"]) == {"token"}
    assert "WWW-Authenticate" not in spent.headers  # a bad link, not bad credentials


async def test_a_reset_request_answers_the_same_for_an_unknown_address(
    api: httpx.AsyncClient, make_user: MakeUser, unique: str
) -> None:
    known = await make_user()
    unknown = f"nobody-{unique}@example.com"
    answers = [
        await api.post("/auth/password-reset", json={"email": email})
        for email in (known.email, unknown)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    assert answers[1].json()["email"] == unknown
    assert len(await events_of(await user_id_of(known.email), "PasswordResetRequested")) == 1

    malformed = await api.post("/auth/password-reset", json={"email": "@"})
    assert set(assert_problem(malformed, 400)["errors"]) == {"email"}
    missing = await api.post("/auth/password-reset", json={})
    assert set(assert_problem(missing, 400)["errors"]) == {"email"}


async def test_reset_requests_and_order_lookups_count_against_the_strict_limit(
    api: httpx.AsyncClient, auth_limit: None, unique: str
) -> None:
    for _ in range(3):
        sent = await api.post("/auth/password-reset", json={"email": f"a-{unique}@example.com"})
        assert sent.status_code == 202
    refused = await api.post("/auth/password-reset", json={"email": f"b-{unique}@example.com"})
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    lookup = await api.post("/orders/lookup", json={"number": "KG-X", "email": "a@example.com"})
    assert_problem(lookup, 429)  # the same group, the same address


# --- cart reminder links -----------------------------------------------------------------


async def test_a_reminders_links_restore_the_cart_and_unsubscribe(
    api: httpx.AsyncClient, make_user: MakeUser, make_product: MakeProduct, unique: str
) -> None:
    shopper = await viewer_of(await make_user())
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    owner = cart_owners.user_owner(shopper.user_id)
    await carts.add_item(owner, kettle, 2)
    later = utcnow() + timedelta(minutes=SEEDED.cart_reminder_after_minutes + 1)
    assert await cart_reminders.remind_cart(owner, now=later) is Outcome.SENT
    [reminder] = await mails(shopper.email, "cart_reminder")
    restore_token = link_token(reminder, "/cart/restore")
    unsubscribe_token = link_token(reminder, "/cart-reminders/unsubscribe")
    await carts.clear_cart(owner)

    assert_problem(await api.post("/cart/restore", json={"token": restore_token}), 401)
    headers = await bearer(shopper)
    restored = await api.post("/cart/restore", json={"token": restore_token}, headers=headers)
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert (body["restored"], body["unavailable"]) == ([f"Kettle {unique}"], [])
    assert [(line["product_id"], line["quantity"]) for line in body["cart"]["lines"]] == [
        (str(kettle), 2)
    ]
    twice = await api.post("/cart/restore", json={"token": restore_token}, headers=headers)
    assert [line["quantity"] for line in twice.json()["cart"]["lines"]] == [2]  # not doubled
    cart = (await api.get("/cart", headers=headers)).json()
    assert [line["quantity"] for line in cart["lines"]] == [2]

    bad = await api.post("/cart/restore", json={"token": restore_token + "x"}, headers=headers)
    assert set(assert_problem(bad, 400)["errors"]) == {"token"}
    wrong_purpose = await api.post(
        "/cart/restore", json={"token": unsubscribe_token}, headers=headers
    )
    assert_problem(wrong_purpose, 400)

    unsubscribed = await api.post("/cart-reminders/unsubscribe", json={"token": unsubscribe_token})
    assert unsubscribed.json() == {"email": shopper.email}
    setting = await api.get("/me/cart-reminders", headers=headers)
    assert setting.json() == {"wanted": False}
    tampered = await api.post("/cart-reminders/unsubscribe", json={"token": restore_token})
    assert set(assert_problem(tampered, 400)["errors"]) == {"token"}


# --- back-in-stock notices ---------------------------------------------------------------


async def test_a_signed_in_shopper_waits_for_a_sold_out_product_and_cancels(
    api: httpx.AsyncClient, make_user: MakeUser, make_product: MakeProduct
) -> None:
    sold_out = await make_product(stock_quantity=0)
    shopper, stranger = await viewer_of(await make_user()), await viewer_of(await make_user())
    mine, theirs = await bearer(shopper), await bearer(stranger)
    notice = f"/me/stock-notices/{sold_out}"
    assert (await api.get(notice, headers=mine)).json() == {
        "variant_id": str(sold_out),
        "waiting": False,
    }

    asked = await api.post(
        "/stock-notices", json={"variant_id": str(sold_out)}, headers=with_key(mine)
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["outcome"] == "active"
    assert shopper.email in asked.json()["message"]
    assert (await api.get(notice, headers=mine)).json()["waiting"] is True
    again = await api.post("/stock-notices", json={"variant_id": str(sold_out)}, headers=mine)
    assert again.json()["outcome"] == "already"

    # Another shopper neither sees nor cancels it.
    assert (await api.get(notice, headers=theirs)).json()["waiting"] is False
    assert_problem(await api.delete(notice, headers=theirs), 404)
    assert (await api.get(notice, headers=mine)).json()["waiting"] is True

    cancelled = await api.delete(notice, headers=mine)
    assert cancelled.status_code == 204
    assert (await api.get(notice, headers=mine)).json()["waiting"] is False
    assert_problem(await api.delete(notice, headers=mine), 404)


async def test_stock_notices_are_only_for_sold_out_products_that_are_sold(
    api: httpx.AsyncClient, make_user: MakeUser, make_product: MakeProduct
) -> None:
    headers = await bearer(await viewer_of(await make_user()))
    in_stock = await make_product(stock_quantity=3)
    available = await api.post(
        "/stock-notices", json={"variant_id": str(in_stock)}, headers=headers
    )
    assert assert_problem(available, 409)["type"].endswith("/product-available")
    unknown = await api.post(
        "/stock-notices", json={"variant_id": str(uuid.uuid4())}, headers=headers
    )
    assert_problem(unknown, 404)
    bad_id = await api.post("/stock-notices", json={"variant_id": "shirt"}, headers=headers)
    assert "variant_id" in assert_problem(bad_id, 400)["errors"]
    assert (await api.get(f"/me/stock-notices/{in_stock}", headers=headers)).json()[
        "waiting"
    ] is False


async def test_a_guest_asks_with_an_address_and_confirms_through_the_emailed_link(
    api: httpx.AsyncClient, make_product: MakeProduct, unique: str
) -> None:
    sold_out = await make_product(stock_quantity=0)
    no_email = await api.post("/stock-notices", json={"variant_id": str(sold_out)})
    assert set(assert_problem(no_email, 400)["errors"]) == {"email"}
    not_an_address = await api.post(
        "/stock-notices", json={"variant_id": str(sold_out), "email": "nope"}
    )
    assert set(assert_problem(not_an_address, 400)["errors"]) == {"email"}

    guest = f"guest-{unique}@example.com"
    asked = await api.post("/stock-notices", json={"variant_id": str(sold_out), "email": guest})
    assert asked.status_code == 202, asked.text
    assert asked.json()["outcome"] == "confirm"
    [event] = [
        row
        for row in await _confirmation_requests(guest)
        if row.event_type == "StockNoticeConfirmationRequested"
    ]
    await send_mails(event.aggregate_id)
    [message] = await mails(guest, "stock_notice_confirmation")
    confirm_token = link_token(message, "/stock-notices/confirm")
    cancel_token = link_token(message, "/stock-notices/cancel")

    confirmed = await api.post("/stock-notices/confirm", json={"token": confirm_token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["product_url"].startswith("/products/")
    used = await api.post("/stock-notices/confirm", json={"token": confirm_token})
    assert set(assert_problem(used, 400)["errors"]) == {"token"}

    cancelled = await api.post("/stock-notices/cancel", json={"token": cancel_token})
    assert cancelled.status_code == 200
    nothing_left = await api.post("/stock-notices/cancel", json={"token": cancel_token})
    assert_problem(nothing_left, 400)


async def _confirmation_requests(email: str) -> list[OutboxEvent]:
    async with session_scope() as session:
        rows = await session.exec(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "StockNoticeConfirmationRequested",
                OutboxEvent.payload["email"].astext == email,  # type: ignore[index]
            )
        )
        return list(rows.all())


# --- the guest order lookup --------------------------------------------------------------


async def test_a_guest_finds_their_order_by_number_and_email(
    api: httpx.AsyncClient, make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    email = f"buyer-{unique}@example.com"
    placed = await place_order({await make_product(): 1}, email=email)

    found = await api.post(
        "/orders/lookup", json={"number": f" {placed.number.lower()} ", "email": email.upper()}
    )
    assert found.status_code == 200, found.text
    assert found.json()["number"] == placed.number
    assert found.json()["total"] == str(placed.total)

    wrong_email = await api.post(
        "/orders/lookup", json={"number": placed.number, "email": f"other-{unique}@example.com"}
    )
    wrong_number = await api.post("/orders/lookup", json={"number": "KG-NONE-NONE", "email": email})
    assert assert_problem(wrong_email, 404)["detail"] == assert_problem(wrong_number, 404)["detail"]
    missing = await api.post("/orders/lookup", json={"number": placed.number})
    assert set(assert_problem(missing, 400)["errors"]) == {"email"}
