"""Back-in-stock notices: subscribe (shoppers at once, guests after confirming by e-mail),
cancel, and close every open subscription of a variant ("tell me when size M is back") once
its stock is back. A product without options has one variant, under the product's id.

Exactly one e-mail per subscriber: `notify_subscribers` flips each active subscription
to `notified` and records its `BackInStockNoticeDue` in one transaction, under row locks,
so a retried job or a twice-delivered `InventoryUpdated` finds nothing left to close; the
e-mail itself is keyed by the subscription id, so a retried send cannot go out twice.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.errors import TooManyAttemptsError
from backend.accounts.inputs import normalize_email
from backend.accounts.schemas import Viewer
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import get_variant_summaries
from backend.core import rate_limits
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.rate_limits import RateLimit
from backend.events.outbox import record_event
from backend.settings import get_settings
from backend.stock_notices.errors import ProductAvailableError
from backend.stock_notices.events import BackInStockNoticeDue, StockNoticeConfirmationRequested
from backend.stock_notices.locks import (
    lock_open_subscription_for_update,
    lock_subscription_for_update,
    lock_subscription_to_cancel_for_update,
    lock_subscription_to_confirm_for_update,
)
from backend.stock_notices.models import StockNoticeSubscription
from backend.stock_notices.schemas import (
    ConfirmationLinks,
    LinkOutcome,
    SubscribeResult,
)

MAX_EMAIL_LENGTH = 254
MAX_TOKEN_LENGTH = 200
# Guests' confirmation e-mails go to whatever address was typed: at most this many to one
# address, and this many requests from one visitor.
CONFIRMATIONS_PER_EMAIL = RateLimit("stock-notice-email", "3/day")
GUEST_REQUESTS_PER_IP = RateLimit("stock-notice-ip", "20/hour")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirm_ttl() -> timedelta:
    return timedelta(hours=get_settings().stock_notice_confirm_hours)


async def _waitable_variant(session: AsyncSession, variant_id: uuid.UUID) -> VariantSummary:
    variant = (await get_variant_summaries([variant_id], session=session)).get(variant_id)
    if variant is None or not variant.is_active:
        raise NotFoundError("This product is no longer sold.")
    if variant.stock_quantity > 0:
        raise ProductAvailableError(f"{variant.display_name} is in stock: you can order it now.")
    return variant


async def subscribe_viewer(variant_id: uuid.UUID, viewer: Viewer) -> SubscribeResult:
    """A signed-in shopper: their account's address, active at once (no confirmation:
    the account's address is the one they signed in with)."""
    async with session_scope() as session:
        variant = await _waitable_variant(session, variant_id)
        existing = await lock_open_subscription_for_update(session, variant_id, viewer.email)
        now = utcnow()
        if existing is not None:
            if existing.status == "active":
                return SubscribeResult(
                    "already", f"We will e-mail you when {variant.display_name} is back."
                )
            # A guest request for the same address, now made while signed in: confirmed.
            existing.status, existing.confirmed_at = "active", now
            existing.user_id = viewer.user_id
            existing.confirm_token_hash = None
        else:
            session.add(
                StockNoticeSubscription(
                    product_id=variant.product_id,
                    variant_id=variant_id,
                    email=viewer.email,
                    user_id=viewer.user_id,
                    status="active",
                    confirmed_at=now,
                )
            )
        return SubscribeResult(
            "active",
            f"Done: we will e-mail {viewer.email} once when {variant.display_name} is back.",
        )


async def subscribe_guest(
    variant_id: uuid.UUID, email: str, *, ip: str | None = None
) -> SubscribeResult:
    """A guest: a pending subscription and a confirmation e-mail (the link expires).

    Anyone can type any address, so the form must not be a way to flood a mailbox:
    asking again for the same product before the link expires sends nothing new; one
    address gets at most `CONFIRMATIONS_PER_EMAIL` confirmation e-mails, whatever the
    products and whoever asks (beyond that, the same answer and nothing sent); one
    visitor (`ip`, the address `backend.core.client_address` finds) may ask
    `GUEST_REQUESTS_PER_IP` times."""
    if ip and not await rate_limits.hit(GUEST_REQUESTS_PER_IP, ip):
        retry_after = await rate_limits.seconds_until_allowed(GUEST_REQUESTS_PER_IP, ip)
        raise TooManyAttemptsError(
            f"Too many requests from your network. Try again in {retry_after // 60 + 1} minutes.",
            retry_after=retry_after,
        )
    raw = str(email or "").strip()
    if not raw or len(raw) > MAX_EMAIL_LENGTH:
        raise InvalidInputError("Enter your e-mail address.", {"email": "Enter an e-mail address."})
    try:
        address = normalize_email(raw)
    except ValueError as error:
        raise InvalidInputError(
            "Enter a valid e-mail address.", {"email": "This is not an e-mail address."}
        ) from error
    now = utcnow()
    try:
        async with session_scope() as session:
            variant = await _waitable_variant(session, variant_id)
            existing = await lock_open_subscription_for_update(session, variant_id, address)
            # One answer whatever the address's state, so the form tells nobody whether
            # an address is already subscribed.
            confirm_message = (
                f"Almost done: if {address} is not subscribed yet, we sent it a link. Open "
                f"it to confirm, and we will e-mail you once when {variant.display_name} is "
                "back."
            )
            if existing is not None and existing.status == "active":
                return SubscribeResult("confirm", confirm_message)
            link_still_works = (
                existing is not None
                and existing.confirm_expires_at is not None
                and existing.confirm_expires_at > now
            )
            if link_still_works or not await rate_limits.hit(
                CONFIRMATIONS_PER_EMAIL, address.lower()
            ):
                # Asked before and the link still works, or this inbox has had enough.
                return SubscribeResult("confirm", confirm_message)
            if existing is not None and existing.confirm_expires_at is not None:
                subscription = existing  # its link expired: send a new one
                subscription.confirm_expires_at = now + confirm_ttl()
            else:
                subscription = StockNoticeSubscription(
                    product_id=variant.product_id,
                    variant_id=variant_id,
                    email=address,
                    status="pending",
                    confirm_expires_at=now + confirm_ttl(),
                )
                session.add(subscription)
                await session.flush()
            await record_event(
                session,
                StockNoticeConfirmationRequested(
                    aggregate_id=str(subscription.id),
                    email=subscription.email,
                    product_name=variant.display_name,
                ),
            )
    except IntegrityError:
        # Another request for the same address won the race: that one stands.
        return SubscribeResult("confirm", f"We sent a link to {address}: open it to confirm.")
    return SubscribeResult("confirm", confirm_message)


async def issue_confirmation_links(subscription_id: uuid.UUID) -> ConfirmationLinks:
    """New confirm and cancel tokens for a pending subscription (only their hashes are
    kept): called once per confirmation e-mail, when it is first rendered. NotFoundError
    when it is no longer pending."""
    confirm, cancel = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with session_scope() as session:
        subscription = await lock_subscription_for_update(session, subscription_id)
        if subscription is None or subscription.status != "pending":
            raise NotFoundError("This request is no longer waiting for confirmation.")
        subscription.confirm_token_hash = _hash(confirm)
        subscription.cancel_token_hash = _hash(cancel)
    return ConfirmationLinks(confirm, cancel, get_settings().stock_notice_confirm_hours)


def _token_ok(token: str) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH


async def confirm_subscription(token: str) -> LinkOutcome:
    """A guest opened the e-mailed link: the subscription becomes active. Unknown, used
    or expired links do nothing."""
    if not _token_ok(token):
        return LinkOutcome(False)
    async with session_scope() as session:
        row = await lock_subscription_to_confirm_for_update(
            session, confirm_token_hash=_hash(token), now=utcnow()
        )
        if row is None:
            return LinkOutcome(False)
        subscription, name, slug = row
        subscription.status, subscription.confirmed_at = "active", utcnow()
        subscription.confirm_token_hash = None  # single use
        return LinkOutcome(True, name, f"/products/{slug}")


async def cancel_by_token(token: str) -> LinkOutcome:
    """The cancel link from the e-mail: closes an open subscription (no sign-in needed)."""
    if not _token_ok(token):
        return LinkOutcome(False)
    async with session_scope() as session:
        row = await lock_subscription_to_cancel_for_update(session, cancel_token_hash=_hash(token))
        if row is None:
            return LinkOutcome(False)
        subscription, name, slug = row
        subscription.status, subscription.closed_at = "cancelled", utcnow()
        return LinkOutcome(True, name, f"/products/{slug}")


async def cancel_for_viewer(variant_id: uuid.UUID, viewer: Viewer) -> bool:
    """A signed-in shopper cancels their own open subscription for a variant."""
    async with session_scope() as session:
        existing = await lock_open_subscription_for_update(session, variant_id, viewer.email)
        if existing is None:
            return False
        existing.status, existing.closed_at = "cancelled", utcnow()
        return True


async def notify_subscribers(variant_id: uuid.UUID) -> int:
    """The variant is back: close every active (confirmed) subscription and owe each one
    e-mail, in one transaction. Nothing happens while it is still out of stock or not
    sold. Safe to run any number of times. Returns how many were closed now."""
    async with session_scope() as session:
        variant = (await get_variant_summaries([variant_id], session=session)).get(variant_id)
        if variant is None or not variant.is_active or variant.stock_quantity <= 0:
            return 0
        closed = (
            await session.exec(
                update(StockNoticeSubscription)
                .where(
                    col(StockNoticeSubscription.variant_id) == variant_id,
                    col(StockNoticeSubscription.status) == "active",
                )
                .values(status="notified", closed_at=utcnow())
                .returning(col(StockNoticeSubscription.id), col(StockNoticeSubscription.email))
            )
        ).all()
        for subscription_id, email in closed:
            await record_event(
                session,
                BackInStockNoticeDue(
                    aggregate_id=str(subscription_id),
                    email=email,
                    product_name=variant.display_name,
                    # The product's page opens on the variant waited for.
                    product_slug=variant.slug,
                    variant_id=str(variant_id),
                    price=variant.price,
                    currency=variant.currency,
                ),
            )
    return len(closed)


def stock_came_back(quantity_after: int, change: int) -> bool:
    """Whether a stock change took a variant from none to some."""
    return quantity_after > 0 and quantity_after - change <= 0
