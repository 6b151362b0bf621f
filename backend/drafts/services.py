"""Draft order use cases: staff build an order for a customer, then complete it once.

Everything here needs the `orders.edit` permission, checked first. A draft is changed
under its row lock and only while open; each change pushes its expiry back
(`DRAFT_LIFETIME`). Completing it is one transaction: the draft is locked (a second
completion finds it completed), the order is placed from its lines (`orders.staff_orders`:
stock reserved now, the draft priced afresh), the draft marked completed with the order,
and then either the payment staff took by hand is recorded (`payments.manual`) or the
customer is e-mailed a payment link (`payments.links`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import queries as accounts
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.catalog import cache as catalog_cache
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.validation import parse_input
from backend.drafts.inputs import MAX_QUANTITY, CustomerEmail, CustomLineInput, TermsInput
from backend.drafts.locks import lock_draft_for_update, lock_stale_drafts_for_update
from backend.drafts.models import DraftOrder, DraftOrderLine
from backend.observability import metrics
from backend.orders import staff_orders
from backend.orders.inputs import CheckoutDetails
from backend.orders.staff_orders import CustomLine, StaffTerms
from backend.payments import links as payment_links
from backend.payments import manual as manual_payments

DRAFT_LIFETIME = timedelta(days=30)
# What a draft keeps of the customer (checkout's details, without codes).
DETAIL_FIELDS = (
    "email",
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
MAX_LINES = 100
NOT_OPEN = "Draft {label} is {status}: it cannot be changed."


class Settlement(StrEnum):
    """How a completed draft gets paid."""

    PAID_BY_HAND = "paid_by_hand"  # bank transfer or cash, with a reference
    PAYMENT_LINK = "payment_link"  # the customer is e-mailed a link to pay by card


@dataclass(frozen=True)
class DraftRef:
    id: uuid.UUID
    label: str


@dataclass(frozen=True)
class CompletedDraft:
    draft_label: str
    order_id: uuid.UUID
    order_number: str


def _allowed(by: Viewer) -> None:
    require_permission(by, Permission.ORDERS_EDIT, "take orders for customers")


async def _open(session: AsyncSession, draft_id: uuid.UUID) -> DraftOrder:
    draft = await lock_draft_for_update(session, draft_id)
    if draft.status != "open":
        raise InvalidInputError(NOT_OPEN.format(label=draft.label, status=draft.status))
    return draft


def _touched(session: AsyncSession, draft: DraftOrder) -> None:
    draft.updated_at = utcnow()
    draft.expires_at = draft.updated_at + DRAFT_LIFETIME
    session.add(draft)


async def create_draft(*, by: Viewer, email: str = "") -> DraftRef:
    """A new, empty draft; with the e-mail address of an account, for that customer
    (their default address filled in)."""
    _allowed(by)
    draft = DraftOrder(created_by=by.user_id, expires_at=utcnow() + DRAFT_LIFETIME)
    if email.strip():
        await _set_customer_email(draft, email, by=by)
    async with session_scope() as session:
        session.add(draft)
        await session.flush()
        await session.refresh(draft, ["number"])  # the database numbers drafts
        audit.record(
            session,
            actor=by,
            action="draft_order.created",
            entity_type="draft_order",
            entity_id=draft.label,
            after={"email": draft.email},
        )
        return DraftRef(draft.id, draft.label)


async def _set_customer_email(draft: DraftOrder, email: str, *, by: Viewer) -> None:
    """The customer by e-mail: an account's, with its default address filled in (when
    it passes checkout's rules), or someone without one."""
    checked = parse_input(CustomerEmail, {"email": email}).email
    match = await accounts.customer_by_email(by, checked)
    draft.email = match.email if match else checked  # the account's own spelling
    draft.user_id = match.user_id if match else None
    if match is None or match.default_address is None:
        return
    saved = match.default_address
    try:
        details = parse_input(
            CheckoutDetails,
            {
                "email": draft.email,
                "full_name": saved.full_name,
                "line1": saved.line1,
                "line2": saved.line2,
                "city": saved.city,
                "region": saved.region,
                "postal_code": saved.postal_code,
                "country": saved.country,
                "phone": saved.phone,
            },
        )
    except InvalidInputError:
        return  # an address saved under older rules: staff type it in
    draft.details = details.model_dump(include=set(DETAIL_FIELDS))


async def set_customer(draft_id: uuid.UUID, data: dict[str, Any], *, by: Viewer) -> None:
    """The customer's e-mail, name, address, phone and shipping method, checked as at
    checkout (a country the shop does not ship to is refused when the draft is priced)."""
    _allowed(by)
    details = parse_input(CheckoutDetails, {**data, "discount_code": None, "gift_card_code": None})
    match = await accounts.customer_by_email(by, details.email)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        draft.email = details.email
        draft.user_id = match.user_id if match else None
        draft.details = details.model_dump(include=set(DETAIL_FIELDS))
        _touched(session, draft)


async def draft_lines(session: AsyncSession, draft_id: uuid.UUID) -> list[DraftOrderLine]:
    return list(
        (
            await session.exec(
                select(DraftOrderLine)
                .where(DraftOrderLine.draft_id == draft_id)
                .order_by(col(DraftOrderLine.position))
            )
        ).all()
    )


async def _next_position(session: AsyncSession, draft_id: uuid.UUID) -> int:
    count, last = (
        await session.exec(
            select(func.count(), func.max(DraftOrderLine.position)).where(
                DraftOrderLine.draft_id == draft_id
            )
        )
    ).one()
    if count >= MAX_LINES:
        raise InvalidInputError(f"A draft order holds at most {MAX_LINES} lines.")
    return (last or 0) + 1


def _quantity(value: object) -> int:
    try:
        quantity = int(str(value).strip())
    except ValueError:
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        message = f"Enter a quantity from 1 to {MAX_QUANTITY}."
        raise InvalidInputError(message, {"quantity": message})
    return quantity


async def add_variant(
    draft_id: uuid.UUID, variant_id: uuid.UUID, quantity: object = 1, *, by: Viewer
) -> None:
    """Add a product variant (again: its quantity grows)."""
    _allowed(by)
    wanted = _quantity(quantity)
    if variant_id not in await get_variant_summaries([variant_id]):
        raise NotFoundError("There is no such product.")
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        lines = await draft_lines(session, draft_id)
        same = next((line for line in lines if line.variant_id == variant_id), None)
        if same is not None:
            same.quantity = min(same.quantity + wanted, MAX_QUANTITY)
            session.add(same)
        else:
            session.add(
                DraftOrderLine(
                    draft_id=draft_id,
                    position=await _next_position(session, draft_id),
                    variant_id=variant_id,
                    quantity=wanted,
                )
            )
        _touched(session, draft)


async def add_custom_line(draft_id: uuid.UUID, data: dict[str, Any], *, by: Viewer) -> None:
    """Add a line that is not in the catalog, at the price staff set (taxed at the
    standard rate, holds no stock)."""
    _allowed(by)
    line = parse_input(CustomLineInput, data)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        session.add(
            DraftOrderLine(
                draft_id=draft_id,
                position=await _next_position(session, draft_id),
                custom_name=line.name,
                custom_price=line.unit_price,
                quantity=line.quantity,
            )
        )
        _touched(session, draft)


async def set_quantity(
    draft_id: uuid.UUID, line_id: uuid.UUID, quantity: object, *, by: Viewer
) -> None:
    """A line's new quantity (1 to 999)."""
    _allowed(by)
    wanted = _quantity(quantity)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        line = await _line_of(session, draft_id, line_id)
        line.quantity = wanted
        session.add(line)
        _touched(session, draft)


async def remove_line(draft_id: uuid.UUID, line_id: uuid.UUID, *, by: Viewer) -> None:
    _allowed(by)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        await session.delete(await _line_of(session, draft_id, line_id))
        _touched(session, draft)


async def _line_of(
    session: AsyncSession, draft_id: uuid.UUID, line_id: uuid.UUID
) -> DraftOrderLine:
    line = await session.get(DraftOrderLine, line_id)
    if line is None or line.draft_id != draft_id:
        raise NotFoundError("This line is not on the draft any more.")
    return line


async def set_terms(draft_id: uuid.UUID, data: dict[str, Any], *, by: Viewer) -> None:
    """The discount (an amount, with its reason), a shipping price instead of the
    method's rate (blank: the rate), and a note for the team."""
    _allowed(by)
    terms = parse_input(TermsInput, data)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        draft.manual_discount = terms.manual_discount
        draft.discount_reason = terms.discount_reason if terms.manual_discount else ""
        draft.shipping_price = terms.shipping_price
        draft.note = terms.note
        _touched(session, draft)


async def delete_draft(draft_id: uuid.UUID, *, by: Viewer) -> None:
    """Throw an open draft away (a completed one stays, linked to its order)."""
    _allowed(by)
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        label = draft.label
        await session.delete(draft)
        audit.record(
            session,
            actor=by,
            action="draft_order.deleted",
            entity_type="draft_order",
            entity_id=label,
        )


def order_inputs(
    draft: DraftOrder, lines: list[DraftOrderLine]
) -> tuple[dict[uuid.UUID, int], list[CustomLine], CheckoutDetails | None, StaffTerms]:
    """What the draft asks of an order: variants, custom lines, customer, terms."""
    wanted = {line.variant_id: line.quantity for line in lines if line.variant_id is not None}
    custom = [
        CustomLine(line.custom_name, line.custom_price, line.quantity)
        for line in lines
        if line.variant_id is None and line.custom_name and line.custom_price is not None
    ]
    details = CheckoutDetails.model_validate(draft.details) if draft.details else None
    terms = StaffTerms(
        manual_discount=draft.manual_discount,
        discount_reason=draft.discount_reason,
        shipping_price=draft.shipping_price,
    )
    return wanted, custom, details, terms


async def complete_draft(
    draft_id: uuid.UUID,
    *,
    settlement: str,
    method: str = "",
    reference: str = "",
    by: Viewer,
) -> CompletedDraft:
    """Turn the draft into an order, once: stock reserved now, priced afresh; then
    record the payment taken by hand (`method`: bank transfer or cash, `reference`), or
    e-mail the customer a payment link. Raises inventory.OutOfStockError (nothing
    changed) when a line cannot be had, InvalidInputError for a draft without lines or
    customer, or one completed already."""
    _allowed(by)
    try:
        chosen = Settlement(settlement)
    except ValueError:
        raise InvalidInputError(
            "Choose how the order is paid: by hand, or by a payment link."
        ) from None
    paid_by = (
        manual_payments.parse_manual_payment(method, reference)
        if chosen is Settlement.PAID_BY_HAND
        else None
    )
    async with session_scope() as session:
        draft = await _open(session, draft_id)
        wanted, custom, details, terms = order_inputs(draft, await draft_lines(session, draft_id))
        if details is None:
            raise InvalidInputError("Enter the customer's name and address first.")
        order = await staff_orders.place(
            session,
            key=f"draft:{draft.id}",
            wanted=wanted,
            custom=custom,
            details=details,
            user_id=draft.user_id,
            terms=terms,
            actor=actor_label(by),
            expires_at=utcnow() + payment_links.PAYMENT_LINK_TTL,
        )
        draft.status, draft.order_id = "completed", order.id
        _touched(session, draft)
        audit.record(
            session,
            actor=by,
            action="draft_order.completed",
            entity_type="draft_order",
            entity_id=draft.label,
            after={"order": order.number, "total": order.total, "settlement": chosen.value},
        )
        if paid_by is not None:
            await manual_payments.record_manual_payment_locked(
                session, order, paid_by[0], paid_by[1], by=by
            )
        else:
            await payment_links.request_payment_link_locked(session, order, by=by)
        completed = CompletedDraft(draft.label, order.id, order.number)
    metrics.ORDERS_PLACED.inc()
    await catalog_cache.invalidate_after_commit()  # pages show stock
    return completed


async def expire_stale_drafts(*, limit: int = 200) -> int:
    """Open drafts nobody touched for `DRAFT_LIFETIME` expire (a worker cron job; safe
    to run anywhere, any number of times). Returns how many expired."""
    async with session_scope() as session:
        stale = await lock_stale_drafts_for_update(session, now=utcnow(), limit=limit)
        for draft in stale:
            draft.status = "expired"
            session.add(draft)
    return len(stale)
