"""What happens after each event: the one place where handlers are registered.

A handler is a thin adapter: it reads the event and calls one backend service. Every
handler must be idempotent (delivery is at least once): the notification handlers are,
because each message has a unique key per (event, channel, recipient).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from backend.accounts import services as accounts
from backend.accounts.events import (
    EmailVerificationRequested,
    PasswordResetRequested,
    SignUpWithExistingEmailAttempted,
    UserRegistered,
)
from backend.catalog import cache as catalog_cache
from backend.catalog import queries as catalog
from backend.catalog.events import ProductChanged, ProductsChanged
from backend.checkout import services as checkout
from backend.core.errors import NotFoundError
from backend.events.base import DomainEvent
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.inventory.events import InventoryUpdated, LowStock
from backend.media import services as media
from backend.notifications import services as notifications
from backend.notifications.rendering import OneTimeLink
from backend.orders import services as orders
from backend.orders.events import (
    OrderCancelled,
    OrderFulfilled,
    OrderPaid,
    OrderPlaced,
)
from backend.payments import services as payments
from backend.payments.events import PaidAfterCancellation, PaymentRefunded
from backend.returns.events import (
    ReturnApproved,
    ReturnReceived,
    ReturnRefunded,
    ReturnRejected,
    ReturnRequested,
)
from backend.search import services as search
from backend.settings import get_settings
from backend.stock_notices import services as stock_notices
from backend.stock_notices.events import (
    BackInStockNoticeDue,
    StockNoticeConfirmationRequested,
)
from backend.webhooks import services as webhooks

Handler = Callable[[Any], Awaitable[None]]


def _url(path: str) -> str:
    return get_settings().public_base_url + path


def _one_time_link(path: str, token: str) -> OneTimeLink:
    """A link whose token is a credential: sent to the recipient, never kept readable."""
    return OneTimeLink(_url(f"{path}?token={token}"), token)


async def update_search_index(event: ProductChanged) -> None:
    # The worker is the only writer of the search index; web processes only read it.
    await search.sync_products([uuid.UUID(event.aggregate_id)])


async def make_product_thumbnails(event: ProductChanged) -> None:
    # Uploads are stored at once; their thumbnails are made here, off the web process.
    if event.change == "deleted":
        return
    try:
        product = await catalog.get_product(uuid.UUID(event.aggregate_id))
    except NotFoundError:
        return  # deleted since: nothing to show
    await media.create_thumbnails_for(product.image_urls)


async def update_search_index_for_many(event: ProductsChanged) -> None:
    # One search commit for the whole batch (an import or a bulk edit).
    await search.sync_products([uuid.UUID(product_id) for product_id in event.product_ids])


async def make_thumbnails_for_many(event: ProductsChanged) -> None:
    for product_id in event.product_ids:
        try:
            product = await catalog.get_product(uuid.UUID(product_id))
        except NotFoundError:
            continue
        await media.create_thumbnails_for(product.image_urls)


async def refresh_catalog_cache(event: ProductChanged | ProductsChanged) -> None:
    # The writer already did this after its commit; this covers a Redis outage then.
    await catalog_cache.invalidate()


async def send_email_verification(event: EmailVerificationRequested) -> None:
    async def context() -> dict[str, object]:
        # Issued on each attempt: the kept copy of the message has no usable link to resend.
        token = await accounts.issue_account_token(
            uuid.UUID(event.aggregate_id),
            purpose="verify_email",
            ttl=accounts.EMAIL_VERIFICATION_TTL,
        )
        return {
            "display_name": event.display_name,
            "email": event.email,
            "verify_url": _one_time_link("/verify-email", token),
            "expires_hours": int(accounts.EMAIL_VERIFICATION_TTL.total_seconds() // 3600),
        }

    await notifications.send_email(
        template="email_verification",
        to=event.email,
        context=context,
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_account_exists_notice(event: SignUpWithExistingEmailAttempted) -> None:
    # No token in it: the reset page sends its own link, to this same address.
    await notifications.send_email(
        template="account_exists",
        to=event.email,
        context={
            "display_name": event.display_name,
            "sign_in_url": _url("/sign-in"),
            "forgot_password_url": _url("/forgot-password"),
        },
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_password_reset(event: PasswordResetRequested) -> None:
    async def context() -> dict[str, object]:
        token = await accounts.issue_account_token(
            uuid.UUID(event.aggregate_id),
            purpose="reset_password",
            ttl=accounts.PASSWORD_RESET_TTL,
        )
        return {
            "display_name": event.display_name,
            "reset_url": _one_time_link("/reset-password", token),
            "expires_minutes": int(accounts.PASSWORD_RESET_TTL.total_seconds() // 60),
        }

    await notifications.send_email(
        template="password_reset",
        to=event.email,
        context=context,
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def _email_about_order(
    event: OrderPlaced
    | OrderPaid
    | OrderFulfilled
    | PaymentRefunded
    | ReturnRequested
    | ReturnApproved
    | ReturnRejected
    | ReturnReceived,
    template: str,
    **extra: object,
) -> None:
    """An e-mail to the order's customer, with the event's data and a link to the order."""
    await notifications.send_email(
        template=template,
        to=event.email,
        context={
            **event.model_dump(mode="json"),
            "order_url": _url(f"/orders/{event.order_number}"),
            **extra,
        },
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_order_confirmation(event: OrderPlaced) -> None:
    await _email_about_order(event, "order_confirmation", discount_applies=event.discount > 0)


async def send_payment_received(event: OrderPaid) -> None:
    await _email_about_order(event, "payment_received")


async def send_order_shipped(event: OrderFulfilled) -> None:
    await _email_about_order(event, "order_shipped")
    if event.phone:
        await notifications.send_sms(
            template="order_shipped",
            to=event.phone,
            context=event.model_dump(mode="json"),
            idempotency_key=notifications.sms_key(event.event_id, event.phone),
            event_id=event.event_id,
        )


async def send_refund_issued(event: PaymentRefunded) -> None:
    await _email_about_order(event, "refund_issued")


async def send_return_requested(event: ReturnRequested) -> None:
    await _email_about_order(event, "return_requested")


async def send_return_approved(event: ReturnApproved) -> None:
    await _email_about_order(event, "return_approved")


async def send_return_rejected(event: ReturnRejected) -> None:
    await _email_about_order(event, "return_rejected")


async def send_return_received(event: ReturnReceived) -> None:
    await _email_about_order(event, "return_received")


async def update_stock_in_search(event: InventoryUpdated) -> None:
    # Search results show stock ("in stock" filter, "Only 3 left"): the worker re-reads
    # the product, like for any other product change.
    await search.sync_products([uuid.UUID(event.aggregate_id)])


async def refresh_cached_stock(event: InventoryUpdated) -> None:
    await catalog_cache.invalidate()


async def empty_bought_lines_from_cart(event: OrderPaid) -> None:
    # The cart stays as it was until the payment succeeds (a declined card keeps it).
    # The checkout's own last step, for payments that succeed later (notifications).
    await checkout.forget_paid_cart_lines(uuid.UUID(event.aggregate_id))


async def refund_payment_after_cancellation(event: PaidAfterCancellation) -> None:
    await payments.refund_payment_after_cancellation(
        uuid.UUID(event.aggregate_id), event.transaction_id
    )


async def count_payment_in_funnel(event: OrderPaid) -> None:
    # Idempotent: a visitor is counted once per day and step however often this runs.
    await funnel.record(FunnelStep.PAID, await orders.cart_key_of(uuid.UUID(event.aggregate_id)))


async def send_low_stock_alert(event: LowStock) -> None:
    context = {**event.model_dump(mode="json"), "admin_url": _url("/admin/products")}
    for recipient in await accounts.list_admin_emails():
        await notifications.send_email(
            template="low_stock",
            to=recipient,
            context=context,
            idempotency_key=notifications.email_key(event.event_id, recipient),
            event_id=event.event_id,
        )


async def notify_back_in_stock(event: InventoryUpdated) -> None:
    # Only a change from none to some; the service re-reads the stock and closes each
    # subscription together with its one e-mail's event, so a second run finds nothing.
    if stock_notices.stock_came_back(event.quantity, event.change):
        await stock_notices.notify_subscribers(uuid.UUID(event.aggregate_id))


async def send_stock_notice_confirmation(event: StockNoticeConfirmationRequested) -> None:
    async def context() -> dict[str, object]:
        # Issued on each attempt (new links replace unsent ones); NotFoundError when the
        # request was confirmed or cancelled before: nothing is sent.
        links = await stock_notices.issue_confirmation_links(uuid.UUID(event.aggregate_id))
        return {
            "email": event.email,
            "product_name": event.product_name,
            "confirm_url": _one_time_link("/stock-notices/confirm", links.confirm_token),
            "cancel_url": _one_time_link("/stock-notices/cancel", links.cancel_token),
            "expires_hours": links.expires_hours,
        }

    try:
        await notifications.send_email(
            template="stock_notice_confirmation",
            to=event.email,
            context=context,
            idempotency_key=notifications.email_key(event.event_id, event.email),
            event_id=event.event_id,
        )
    except NotFoundError:
        return  # confirmed or cancelled before the e-mail went out: nothing to confirm


async def send_back_in_stock_notice(event: BackInStockNoticeDue) -> None:
    # Keyed by the subscription (not the event): one e-mail per subscription, whatever runs.
    await notifications.send_email(
        template="back_in_stock",
        to=event.email,
        context={
            "product_name": event.product_name,
            "price": event.price,
            "currency": event.currency,
            "product_url": _url(f"/products/{event.product_slug}"),
        },
        idempotency_key=f"back_in_stock:{event.aggregate_id}",
        event_id=event.event_id,
    )


async def deliver_to_webhooks(event: DomainEvent) -> None:
    # Only records one delivery per subscribed endpoint (idempotent); the worker's
    # `send_webhook_deliveries_job` sends them, retrying each endpoint on its own.
    await webhooks.create_deliveries_for(event)


# Event type → its handlers, in the order they run. An event with no handlers is simply
# marked dispatched.
EVENT_HANDLERS: dict[type[DomainEvent], list[Handler]] = {
    UserRegistered: [],
    EmailVerificationRequested: [send_email_verification],
    PasswordResetRequested: [send_password_reset],
    SignUpWithExistingEmailAttempted: [send_account_exists_notice],
    ProductChanged: [
        update_search_index,
        refresh_catalog_cache,
        make_product_thumbnails,
        deliver_to_webhooks,
    ],
    ProductsChanged: [
        update_search_index_for_many,
        refresh_catalog_cache,
        make_thumbnails_for_many,
        deliver_to_webhooks,
    ],
    InventoryUpdated: [
        update_stock_in_search,
        refresh_cached_stock,
        notify_back_in_stock,
        deliver_to_webhooks,
    ],
    LowStock: [send_low_stock_alert, deliver_to_webhooks],
    OrderPlaced: [send_order_confirmation, deliver_to_webhooks],
    OrderPaid: [
        send_payment_received,
        empty_bought_lines_from_cart,
        count_payment_in_funnel,
        deliver_to_webhooks,
    ],
    OrderCancelled: [deliver_to_webhooks],
    OrderFulfilled: [send_order_shipped, deliver_to_webhooks],
    PaymentRefunded: [send_refund_issued, deliver_to_webhooks],
    PaidAfterCancellation: [refund_payment_after_cancellation],
    StockNoticeConfirmationRequested: [send_stock_notice_confirmation],
    BackInStockNoticeDue: [send_back_in_stock_notice],
    ReturnRequested: [send_return_requested],
    ReturnApproved: [send_return_approved],
    ReturnRejected: [send_return_rejected],
    ReturnReceived: [send_return_received],
    # The shopper's e-mail for this step is the refund notice of PaymentRefunded (it names
    # the return): one e-mail per step, not two.
    ReturnRefunded: [],
}

HANDLERS_BY_NAME: dict[str, Handler] = {
    handler.__name__: handler for handlers in EVENT_HANDLERS.values() for handler in handlers
}
_NAMES_BY_EVENT_TYPE: dict[str, list[str]] = {
    event.event_type: [handler.__name__ for handler in handlers]
    for event, handlers in EVENT_HANDLERS.items()
}


def handler_names_for(event_type: str) -> list[str]:
    return _NAMES_BY_EVENT_TYPE.get(event_type, [])
