"""Editing an order before it ships, as one use case for the admin dashboard and the
API: the order changes in one transaction (`orders.editing`), and the difference is
settled, always the same way:

- a paid order whose total rose owes the difference: the customer is e-mailed a payment
  link for it (`payments.links`), and the order cannot ship until it is paid;
- a paid order whose total fell gets the difference back at once, the way it was paid
  (`payments.refunds.give_back_edit_difference`), after the edit is committed. A refund
  the provider refuses leaves the edit made and the amount owed, shown on the order, for
  `give_back_difference` to try again;
- an unpaid order just owes its new total.

The edit is on the order's timeline, in the audit log, and e-mailed to the customer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.validation import parse_input
from backend.orders import editing
from backend.orders.editing import EditQuote, OrderChanges
from backend.orders.inputs import CheckoutDetails
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.payments import links as payment_links
from backend.payments import refunds
from backend.payments.errors import PaymentRefusedError

EDIT_REFUND_REASON = "Order changed"
# The shipping details staff may change (the customer's e-mail stays the order's).
SHIPPING_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "shipping_method",
)


@dataclass(frozen=True)
class EditRequest:
    """An edit as the admin's form or an API body gives it, unchecked: line id → new
    quantity (0 removes), variant id → quantity to add, and the new shipping details
    (None: as they are)."""

    quantities: dict[str, int]
    added: dict[str, int]
    shipping: dict[str, str] | None = None


def _changes(order: Order, request: EditRequest) -> OrderChanges:
    try:
        quantities = {uuid.UUID(str(k)): int(v) for k, v in request.quantities.items()}
        added = {uuid.UUID(str(k)): int(v) for k, v in request.added.items()}
    except (TypeError, ValueError):
        raise InvalidInputError("A line or product to change is not known.") from None
    shipping = None
    if request.shipping is not None:
        data = {field: str(request.shipping.get(field) or "") for field in SHIPPING_FIELDS}
        shipping = parse_input(CheckoutDetails, {**data, "email": order.email})
    return OrderChanges(quantities, added, shipping)


@dataclass(frozen=True)
class EditOutcome:
    order_number: str
    quote: EditQuote
    payment_link_sent: bool  # for what the edit added
    given_back: Decimal  # what went back to the customer
    refund_failure: str | None = None  # why giving back failed (the amount is still owed)


async def preview_edit(order_id: uuid.UUID, request: EditRequest, *, by: Viewer) -> EditQuote:
    """What the order would be after the edit; nothing is written or reserved."""
    require_permission(by, Permission.ORDERS_EDIT, "edit orders")
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        return await editing.quote_edit(session, order, _changes(order, request))


async def edit_order(order_id: uuid.UUID, request: EditRequest, *, by: Viewer) -> EditOutcome:
    """Make the edit and settle the difference (see the module's docstring)."""
    require_permission(by, Permission.ORDERS_EDIT, "edit orders")
    actor = actor_label(by)
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        before = {"total": order.total, "payment_status": order.payment_status}
        changes = _changes(order, request)
        quote = await editing.apply_edit_locked(session, order, changes, actor=actor)
        link = order.payment_status == "partially_paid" and quote.to_pay > 0
        if link:
            await payment_links.request_payment_link_locked(session, order, by=by)
        audit.record(
            session,
            actor=by,
            action="order.edited",
            entity_type="order",
            entity_id=order.number,
            before=before,
            after={
                "total": order.total,
                "payment_status": order.payment_status,
                "changes": quote.said,
            },
        )
        number, give_back = order.number, order.amount_to_give_back
    if give_back <= 0:
        return EditOutcome(number, quote, link, Decimal("0.00"))
    try:
        given = await _give_back(order_id, by=by)
    except PaymentRefusedError as error:
        return EditOutcome(number, quote, link, Decimal("0.00"), refund_failure=error.message)
    return EditOutcome(number, quote, link, given)


async def give_back_difference(order_id: uuid.UUID, *, by: Viewer) -> Decimal:
    """Try again to give back what an edit took off a paid order."""
    require_permission(by, Permission.ORDERS_EDIT, "edit orders")
    return await _give_back(order_id, by=by)


async def _give_back(order_id: uuid.UUID, *, by: Viewer) -> Decimal:
    return await refunds.give_back_edit_difference(
        order_id,
        request_key=f"edit:{uuid.uuid4().hex}",
        actor=actor_label(by),
        by=by,
        reason=EDIT_REFUND_REASON,
    )
