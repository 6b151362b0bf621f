"""Stock news by e-mail: low-stock alerts to the staff who run inventory, back-in-stock notices to
subscribers (and confirming their subscription)."""

from __future__ import annotations

import uuid

from backend.accounts import queries
from backend.accounts.permissions import Permission
from backend.core.errors import NotFoundError
from backend.inventory.events import InventoryUpdated, LowStock
from backend.notifications import services as notifications
from backend.stock_notices import services as stock_notices
from backend.stock_notices.events import (
    BackInStockNoticeDue,
    StockNoticeConfirmationRequested,
)
from jobs.event_handlers.shop_links import one_time_link, shop_url


async def send_low_stock_alert(event: LowStock) -> None:
    context = {**event.model_dump(mode="json"), "admin_url": shop_url("/admin/products")}
    for recipient in await queries.list_staff_emails(Permission.INVENTORY):
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
        # Events recorded before variants name the product, whose one variant has its id.
        await stock_notices.notify_subscribers(uuid.UUID(event.variant_id or event.aggregate_id))


async def send_stock_notice_confirmation(event: StockNoticeConfirmationRequested) -> None:
    async def context() -> dict[str, object]:
        # Issued on each attempt (new links replace unsent ones); NotFoundError when the
        # request was confirmed or cancelled before: nothing is sent.
        links = await stock_notices.issue_confirmation_links(uuid.UUID(event.aggregate_id))
        return {
            "email": event.email,
            "product_name": event.product_name,
            "confirm_url": one_time_link("/stock-notices/confirm", links.confirm_token),
            "cancel_url": one_time_link("/stock-notices/cancel", links.cancel_token),
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
            "product_url": shop_url(
                f"/products/{event.product_slug}"
                + (f"?variant={event.variant_id}" if event.variant_id else "")
            ),
        },
        idempotency_key=f"back_in_stock:{event.aggregate_id}",
        event_id=event.event_id,
    )
