"""Erasing a customer: their account goes; orders keep what the books need (amounts,
tax, the country shipped to) with no name, e-mail, phone or address; reviews stay
anonymous; gift cards keep their balances but not who sent or got them; draft orders
for them go (a completed one keeps only its order); guest
back-in-stock requests, the cart-reminder opt-out and every Redis key
naming them go; messages, events and audit entries keep their shape with the personal
values replaced. Sessions and tokens end. One transaction for the database; Redis after
the commit. The audit log records the erasure by account id only.

An account with an order still under way (unpaid, paid or shipped but not delivered)
is not erased until it is done: the shop still needs the address to deliver it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.accounts import erasure as accounts
from backend.accounts import staff_groups
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.accounts.session_epochs import sessions_changed
from backend.audit import erasure as audit_log
from backend.audit import services as audit
from backend.cart_recovery import erasure as cart_recovery
from backend.core.db import session_scope
from backend.core.errors import DomainError
from backend.core.redaction import needles_of
from backend.drafts import erasure as drafts
from backend.events import erasure as events
from backend.giftcards import erasure as gift_cards
from backend.invoices import erasure as invoices
from backend.notifications import erasure as notifications
from backend.orders import erasure as orders
from backend.privacy import redis_traces
from backend.returns import erasure as returns
from backend.reviews import erasure as reviews
from backend.stock_notices import erasure as stock_notices


class ErasureRefusedError(DomainError):
    code = "erasure_refused"


@dataclass(frozen=True)
class Erasure:
    user_id: uuid.UUID
    orders_anonymised: int


async def erase_my_account(viewer: Viewer, *, password: str) -> Erasure:
    """The signed-in customer erases their own account, confirming with their password."""
    return await _erase(viewer.user_id, actor=viewer, confirm_password=password)


async def erase_customer(user_id: uuid.UUID, *, actor: Viewer) -> Erasure:
    """An administrator erases a customer's account at their request (a staff member's
    account takes the staff permission too)."""
    require_permission(actor, Permission.CUSTOMERS, "erase customer data")
    if user_id == actor.user_id:
        raise ErasureRefusedError("Erase your own account from your account page.")
    return await _erase(user_id, actor=actor)


async def _erase(
    user_id: uuid.UUID, *, actor: Viewer, confirm_password: str | None = None
) -> Erasure:
    async with session_scope() as session:
        erased = await accounts.lock_for_erasure(
            session, user_id, confirm_password=confirm_password
        )
        if actor.user_id != user_id and await staff_groups.permissions_of(session, user_id):
            # As for locking: a staff member's account is the staff managers' business.
            require_permission(actor, Permission.STAFF, "erase a staff member's account")
        if open_orders := await orders.open_order_numbers(session, user_id, erased.email):
            raise ErasureRefusedError(
                "This account has orders still under way ("
                + ", ".join(sorted(open_orders))
                + "): it can be erased once they are delivered or cancelled."
            )
        anonymised = await orders.anonymise_orders(session, user_id, erased.email)
        order_ids = anonymised.order_ids
        personal = [erased.email, *erased.identifying, *anonymised.identifying]
        needles = needles_of(personal)
        await returns.forget_comments(session, order_ids)
        await invoices.forget_buyers(session, order_ids)
        await reviews.anonymise_reviews(session, user_id)
        await stock_notices.forget_email(session, erased.email)
        await gift_cards.forget_person(session, erased.email, anonymised.gift_card_lines)
        await cart_recovery.forget_contact(session, user_id, erased.email)
        await drafts.forget_customer(session, user_id, erased.email)
        phones = [v for v in personal if v.replace(" ", "").lstrip("+").isdigit()]
        await notifications.forget_recipient(session, [erased.email, *phones])
        await events.redact_events(session, needles)
        await audit_log.redact_entries(session, needles)
        await accounts.delete_account(session, user_id)
        themselves = actor.user_id == user_id
        audit.record(
            session,
            # Not the customer's own name: that is what is being erased.
            actor=None if themselves else actor,
            action="customer.erased",
            entity_type="user",
            entity_id=user_id,
            after={
                "asked_by": "the customer" if themselves else "staff",
                "orders_anonymised": len(order_ids),
            },
        )
    await sessions_changed(user_id)  # open tabs find their session gone
    await redis_traces.forget(user_id, erased.email, needles)
    return Erasure(user_id, len(order_ids))
