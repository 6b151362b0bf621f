"""What happens after each event: the one place where handlers are registered (the
handlers themselves live in jobs/event_handlers/, by concern).

A handler is a thin adapter: it reads the event and calls one backend service. Every
handler must be idempotent (delivery is at least once): the notification handlers are,
because each message has a unique key per (event, channel, recipient).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from backend.accounts.events import (
    EmailVerificationRequested,
    PasswordResetRequested,
    SignUpWithExistingEmailAttempted,
    UserRegistered,
)
from backend.catalog.events import ProductChanged, ProductsChanged
from backend.events.base import DomainEvent
from backend.giftcards.events import GiftCardIssued
from backend.inventory.events import InventoryUpdated, LowStock
from backend.orders.events import (
    OrderCancelled,
    OrderEdited,
    OrderFulfilled,
    OrderPaid,
    OrderPlaced,
)
from backend.payments.events import PaidAfterCancellation, PaymentLinkRequested, PaymentRefunded
from backend.returns.events import (
    ReturnApproved,
    ReturnReceived,
    ReturnRefunded,
    ReturnRejected,
    ReturnRequested,
)
from backend.stock_notices.events import (
    BackInStockNoticeDue,
    StockNoticeConfirmationRequested,
)
from jobs.event_handlers.account_emails import (
    send_account_exists_notice,
    send_email_verification,
    send_password_reset,
)
from jobs.event_handlers.catalog_upkeep import (
    make_product_thumbnails,
    make_thumbnails_for_many,
    refresh_cached_stock,
    refresh_catalog_cache,
    update_search_index,
    update_search_index_for_many,
    update_stock_in_search,
)
from jobs.event_handlers.gift_card_delivery import send_gift_card
from jobs.event_handlers.invoicing import issue_credit_note, issue_invoice
from jobs.event_handlers.live_pages import tell_open_pages
from jobs.event_handlers.order_emails import (
    send_order_confirmation,
    send_order_edited,
    send_order_shipped,
    send_payment_received,
    send_payment_request,
    send_refund_issued,
    send_return_approved,
    send_return_received,
    send_return_rejected,
    send_return_requested,
)
from jobs.event_handlers.order_follow_ups import (
    count_payment_in_funnel,
    empty_bought_lines_from_cart,
    issue_bought_gift_cards,
    refund_payment_after_cancellation,
)
from jobs.event_handlers.stock_alerts import (
    notify_back_in_stock,
    send_back_in_stock_notice,
    send_low_stock_alert,
    send_stock_notice_confirmation,
)
from jobs.event_handlers.webhook_deliveries import deliver_to_webhooks

Handler = Callable[[Any], Awaitable[None]]


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
        tell_open_pages,
    ],
    ProductsChanged: [
        update_search_index_for_many,
        refresh_catalog_cache,
        make_thumbnails_for_many,
        deliver_to_webhooks,
        tell_open_pages,
    ],
    InventoryUpdated: [
        update_stock_in_search,
        refresh_cached_stock,
        notify_back_in_stock,
        deliver_to_webhooks,
        tell_open_pages,
    ],
    LowStock: [send_low_stock_alert, deliver_to_webhooks],
    OrderPlaced: [send_order_confirmation, deliver_to_webhooks],
    OrderPaid: [
        send_payment_received,
        empty_bought_lines_from_cart,
        issue_bought_gift_cards,
        issue_invoice,
        count_payment_in_funnel,
        deliver_to_webhooks,
        tell_open_pages,
    ],
    OrderEdited: [send_order_edited, deliver_to_webhooks, tell_open_pages],
    OrderCancelled: [deliver_to_webhooks, tell_open_pages],
    OrderFulfilled: [send_order_shipped, deliver_to_webhooks, tell_open_pages],
    PaymentRefunded: [send_refund_issued, issue_credit_note, deliver_to_webhooks, tell_open_pages],
    PaidAfterCancellation: [refund_payment_after_cancellation],
    PaymentLinkRequested: [send_payment_request],
    GiftCardIssued: [send_gift_card],
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
