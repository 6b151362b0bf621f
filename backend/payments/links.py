"""Payment links: staff send a customer a link to pay an order they took for them (a phone
order, a draft completed). The link opens the order's page in the customer's browser,
where the normal gateway takes the payment; no account is needed.

The order then waits for payment longer than a checkout's (`PAYMENT_LINK_TTL`): it is
cancelled and its stock returned if still unpaid when that runs out. The token is made
by the worker as it sends the e-mail, and only its hash is stored.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.lookup_keys import hash_token
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.orders import status
from backend.orders.locks import lock_order_for_update
from backend.orders.models import Order
from backend.payments.errors import PaymentRefusedError
from backend.payments.events import PaymentLinkRequested
from backend.payments.models import PaymentLink

PAYMENT_LINK_TTL = timedelta(days=7)
MAX_TOKEN_LENGTH = 100
INVALID_PAYMENT_LINK = (
    "This payment link does not work: the order may be paid or cancelled already, or the "
    "link has expired. Contact us for a new one."
)


@dataclass(frozen=True)
class LinkedOrder:
    id: uuid.UUID
    number: str


def _payable(order: Order) -> bool:
    return status.awaits_payment(order)


async def request_payment_link_locked(session: AsyncSession, order: Order, *, by: Viewer) -> None:
    """E-mail the customer a link to pay an order the caller has locked; the order now
    waits `PAYMENT_LINK_TTL` for its payment."""
    require_permission(by, Permission.ORDERS_EDIT, "send payment links")
    if not _payable(order):
        raise PaymentRefusedError(
            f"Order {order.number} is {status.label(order.status)} and its payment "
            f"{status.label(order.payment_status)}: there is nothing to pay."
        )
    expires_at = utcnow() + PAYMENT_LINK_TTL
    if order.status == "pending_payment":  # a new order waits for its payment this long
        expires_at = order.expires_at = max(order.expires_at or expires_at, expires_at)
        session.add(order)
    await record_event(
        session,
        PaymentLinkRequested(
            aggregate_id=str(order.id),
            order_number=order.number,
            email=order.email,
            customer_name=order.customer_name,
            amount=order.amount_due,
            currency=order.currency,
            expires_at=expires_at.isoformat(),
        ),
    )
    audit.record(
        session,
        actor=by,
        action="order.payment_link_sent",
        entity_type="order",
        entity_id=order.number,
        after={"email": order.email, "expires_at": expires_at.isoformat()},
    )


async def request_payment_link(order_id: uuid.UUID, *, by: Viewer) -> None:
    """Staff (again) e-mail the customer a link to pay an unpaid order."""
    require_permission(by, Permission.ORDERS_EDIT, "send payment links")
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        await request_payment_link_locked(session, order, by=by)


async def issue_payment_link(order_id: uuid.UUID) -> str | None:
    """A new link's token for the e-mail (the worker, as it sends it); None when the order
    no longer waits for payment."""
    token = secrets.token_urlsafe(32)
    async with session_scope() as session:
        order = await session.get(Order, order_id)
        if order is None or not _payable(order):
            return None
        session.add(
            PaymentLink(
                order_id=order.id,
                token_hash=hash_token(token),
                expires_at=order.expires_at or utcnow() + PAYMENT_LINK_TTL,
            )
        )
    return token


async def is_payable(order_id: uuid.UUID) -> bool:
    """Whether the order still waits for its payment."""
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    return order is not None and _payable(order)


async def open_payment_link(token: str) -> LinkedOrder:
    """The order a link lets its holder open and pay; raises InvalidInputError for a link
    that is unknown, expired, or whose order is paid or cancelled."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInputError(INVALID_PAYMENT_LINK)
    async with session_scope() as session:
        found = (
            await session.exec(
                select(PaymentLink, Order)
                .join(Order, col(Order.id) == col(PaymentLink.order_id))
                .where(PaymentLink.token_hash == hash_token(token))
            )
        ).first()
    if found is None:
        raise InvalidInputError(INVALID_PAYMENT_LINK)
    link, order = found
    if link.expires_at <= utcnow() or not _payable(order):
        raise InvalidInputError(INVALID_PAYMENT_LINK)
    return LinkedOrder(order.id, order.number)
