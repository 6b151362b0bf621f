"""Finding abandoned carts and sending each one reminder; closing reminders on purchase.

A cart is abandoned when it holds items, has not changed for the store's cart-reminder
delay (Admin → Settings) and no order was placed from it since its last change. The
periodic job walks the carts whose last change is old enough (a Redis sorted set kept by
`backend/cart`), and for each:

1. takes the cart's reminder lock, a transaction-level advisory lock that placing an order
   from the same cart takes too (`close_reminders_for_order`). The job only *tries* it: a
   cart being checked out right now, or handled by another worker, is skipped this round;
2. re-reads, under that lock and in that transaction, everything the decision rests on:
   the cart's last change and lines, its open reminder, orders placed from it since, the
   recipient's opt-out;
3. records the reminder and sends the e-mail (a message with a unique key), then commits.

So a reminder is never sent after the order is placed: an order committed first is seen
in step 2, and an order placed meanwhile waits for the lock and then closes the reminder.
At most one reminder per cart: the open reminder is unique per cart (a partial unique
index), and a cart with an open reminder is skipped however it changes afterwards; only
an order from the cart, or the cart found empty, closes it. The reminder's id and message
key derive from (cart, last change), so a send retried after a crash finds the message
already sent instead of sending a second.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart import activity as cart_activity
from backend.cart import queries as cart_queries
from backend.cart.schemas import CartOwner
from backend.cart_recovery import opt_outs
from backend.cart_recovery.contacts import recipient_for
from backend.cart_recovery.locks import lock_open_reminder_for_update
from backend.cart_recovery.models import CartReminder
from backend.cart_recovery.schemas import Recipient, ReminderRun
from backend.cart_recovery.tokens import RESTORE_LINK_TTL, restore_token, unsubscribe_token
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.notifications import queries as notification_queries
from backend.notifications import services as notifications
from backend.notifications.errors import DeliveryError
from backend.notifications.schemas import OneTimeLink
from backend.orders import queries as order_queries
from backend.pricing.totals import PricedLine, subtotal_of
from backend.settings import get_settings
from backend.shop_settings.values import store_settings

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_BATCHES_PER_RUN = 25  # then the next run (a minute later) goes on
RECIPIENT_COOL_DOWN = timedelta(days=1)
TEMPLATE = "cart_reminder"
# Reminder ids are derived, never random: see the module docstring.
_REMINDER_NAMESPACE = uuid.UUID("6f1c2d0e-8b7a-4c55-9d0e-2a6b1f3c9e41")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


class Outcome(StrEnum):
    SENT = "sent"
    NOT_DUE = "not_due"  # changed since it was listed, or gone
    BUSY = "busy"  # checked out or handled elsewhere right now: next round
    ALREADY_REMINDED = "already_reminded"
    EMPTY = "empty"  # nothing (still sold) in it
    ORDERED = "ordered"
    NO_RECIPIENT = "no_recipient"
    OPTED_OUT = "opted_out"
    RECENTLY_REMINDED = "recently_reminded"  # this address, about another cart
    SEND_FAILED = "send_failed"  # tried again next run
    GAVE_UP = "gave_up"  # the address kept refusing


_LEFT_FOR_LATER = frozenset({Outcome.BUSY, Outcome.NOT_DUE, Outcome.SEND_FAILED})


def _lock_key(cart_key: str) -> str:
    return f"cart-reminder:{cart_key}"


def reminder_id_for(cart_key: str, changed_at: datetime) -> uuid.UUID:
    return uuid.uuid5(_REMINDER_NAMESPACE, f"{cart_key}|{changed_at.isoformat()}")


def _url(path: str) -> str:
    return get_settings().public_base_url + path


def _one_time_link(path: str, token: str) -> OneTimeLink:
    # The token is a credential: sent to the shopper, never kept readable for staff.
    return OneTimeLink(_url(f"{path}?token={token}"), token)


async def send_due_reminders(now: datetime | None = None) -> ReminderRun:
    """The periodic job: remind every cart abandoned long enough, oldest first, in batches.
    Safe to run twice at once, or again after a crash."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=(await store_settings()).cart_reminder_after_minutes)
    looked_at = sent = 0
    for _batch in range(MAX_BATCHES_PER_RUN):
        due = await cart_activity.carts_unchanged_since(cutoff, limit=BATCH_SIZE)
        outcomes = [await remind_cart(owner, now=now) for owner, _changed in due]
        looked_at += len(due)
        sent += outcomes.count(Outcome.SENT)
        # A cart left for later (busy, changed meanwhile) stays listed: stop rather than
        # read the same batch again; the next run takes it.
        if len(due) < BATCH_SIZE or any(o in _LEFT_FOR_LATER for o in outcomes):
            break
    return ReminderRun(looked_at=looked_at, sent=sent)


async def remind_cart(owner: CartOwner, *, now: datetime | None = None) -> Outcome:
    """Send this cart its one reminder if it is abandoned now (see the module docstring)."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=(await store_settings()).cart_reminder_after_minutes)
    changed: datetime | None = None
    try:
        async with session_scope() as session:
            locked = (await session.exec(_TRY_LOCK, params={"key": _lock_key(owner.key)})).one()  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
            if not locked[0]:
                return Outcome.BUSY
            changed = await cart_activity.changed_at(owner)
            if changed is None or changed > cutoff:
                return Outcome.NOT_DUE
            outcome = await _decide_and_send(session, owner, changed, now)
    except DeliveryError as error:
        if changed is None:  # only the send raises it, after `changed` was read
            raise
        return await _after_failed_send(owner, changed, error)
    # After the commit: a cart that changed since is looked at again when that change is due.
    await cart_activity.forget_activity(owner, changed)
    return outcome


async def _after_failed_send(owner: CartOwner, changed: datetime, error: DeliveryError) -> Outcome:
    """The reminder was rolled back with the failed send; the message row keeps the attempt.
    The cart stays due, so the next run tries again (the same message), up to
    EVENT_MAX_ATTEMPTS tries; then it is given up (an address that refuses mail)."""
    # Logged by message key: a guest's cart key is its cookie, which stays out of logs.
    key = _message_key(reminder_id_for(owner.key, changed))
    attempts = await notification_queries.attempts_for(key)
    if attempts < get_settings().event_max_attempts:
        logger.warning("%s not sent (try %d): %s", key, attempts, error)
        return Outcome.SEND_FAILED
    logger.error("%s given up after %d tries: %s", key, attempts, error)
    await cart_activity.forget_activity(owner, changed)
    return Outcome.GAVE_UP


def _message_key(reminder_id: uuid.UUID) -> str:
    return f"cart-reminder:{reminder_id}"


async def _decide_and_send(
    session: AsyncSession, owner: CartOwner, changed: datetime, now: datetime
) -> Outcome:
    open_reminder = await lock_open_reminder_for_update(session, owner.key)
    held = await cart_queries.held_quantities(owner)
    if not held:
        if open_reminder is not None:
            open_reminder.closed_at, open_reminder.close_reason = now, "emptied"
        return Outcome.EMPTY
    if open_reminder is not None:
        return Outcome.ALREADY_REMINDED
    if await order_queries.placed_from_cart_since(session, owner.key, changed):
        return Outcome.ORDERED
    recipient = await recipient_for(owner)
    if recipient is None:
        return Outcome.NO_RECIPIENT
    if (held_back := await _held_back(session, recipient.email, now)) is not None:
        return held_back
    return await _send(session, owner, recipient, held, changed=changed, now=now)


async def _held_back(session: AsyncSession, email: str, now: datetime) -> Outcome | None:
    """Why this address gets no reminder now, if it gets none: it opted out; or it was
    reminded about another cart lately (anyone can type any address at checkout, so an
    address gets at most one reminder per RECIPIENT_COOL_DOWN, however many guest carts
    name it); or another worker is reminding it right now."""
    if await opt_outs.is_opted_out(session, email):
        return Outcome.OPTED_OUT
    locked = (
        await session.exec(_TRY_LOCK, params={"key": f"cart-reminder-to:{email.lower()}"})  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
    ).one()
    if not locked[0]:
        return Outcome.BUSY
    recent = await session.exec(
        select(CartReminder.id)
        .where(
            func.lower(CartReminder.email) == email.lower(),
            col(CartReminder.sent_at) > now - RECIPIENT_COOL_DOWN,
        )
        .limit(1)
    )
    return Outcome.RECENTLY_REMINDED if recent.first() is not None else None


async def _send(
    session: AsyncSession,
    owner: CartOwner,
    recipient: Recipient,
    held: dict[uuid.UUID, int],
    *,
    changed: datetime,
    now: datetime,
) -> Outcome:
    variants = await get_variant_summaries(list(held))
    sellable = sorted(
        (
            (variants[variant_id], quantity)
            for variant_id, quantity in held.items()
            if variant_id in variants
            and variants[variant_id].is_active
            and variants[variant_id].stock_quantity > 0
        ),
        key=lambda pair: pair[0].display_name.lower(),
    )
    if not sellable:  # everything in it is sold out or no longer sold
        return Outcome.EMPTY
    reminder = CartReminder(
        id=reminder_id_for(owner.key, changed),
        cart_key=owner.key,
        user_id=recipient.user_id,
        email=recipient.email,
        lines=[
            {"variant_id": str(variant.id), "quantity": quantity, "name": variant.display_name}
            for variant, quantity in sellable
        ],
        cart_changed_at=changed,
        sent_at=now,
    )
    session.add(reminder)
    await session.flush()
    await notifications.send_email(
        template=TEMPLATE,
        to=recipient.email,
        context=_message_context(reminder, recipient, sellable, now),
        idempotency_key=_message_key(reminder.id),
    )
    return Outcome.SENT


def _message_context(
    reminder: CartReminder,
    recipient: Recipient,
    sellable: list[tuple[VariantSummary, int]],
    now: datetime,
) -> dict[str, object]:
    lines = [PricedLine(product.price, quantity) for product, quantity in sellable]
    return {
        "greeting_name": recipient.greeting_name,
        "currency": get_settings().shop_currency,
        "lines": [
            {
                "name": product.display_name,
                "quantity": quantity,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
            }
            for (product, quantity), line in zip(sellable, lines, strict=True)
        ],
        "subtotal": subtotal_of(lines),
        "restore_url": _one_time_link("/cart/restore", restore_token(reminder.id, now=now)),
        "restore_days": RESTORE_LINK_TTL.days,
        "unsubscribe_url": _one_time_link(
            "/cart-reminders/unsubscribe", unsubscribe_token(recipient.email, now=now)
        ),
    }


async def close_reminders_for_order(
    session: AsyncSession, *, cart_key: str, order_id: uuid.UUID, user_id: uuid.UUID | None
) -> None:
    """In the transaction placing an order from `cart_key`: wait for a reminder being sent
    for this cart right now, then close the cart's open reminder (no reminder is sent for
    it after this commits) and attribute the order to a reminder whose link filled this
    cart (`attribution.py`)."""
    from backend.cart_recovery.attribution import attribute_order

    now = utcnow()
    await session.exec(_LOCK, params={"key": _lock_key(cart_key)})  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
    await session.exec(
        update(CartReminder)
        .where(col(CartReminder.cart_key) == cart_key, col(CartReminder.closed_at).is_(None))
        .values(closed_at=now, close_reason="ordered")
    )
    await attribute_order(
        session, order_id=order_id, cart_key=cart_key, user_id=user_id, placed_at=now
    )
