"""Reading draft orders for staff (`orders.edit`): the list, and one draft priced now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import find_sellable_variants
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.drafts.locks import DRAFT_NOT_FOUND
from backend.drafts.models import DraftOrder, DraftOrderLine
from backend.drafts.services import draft_lines, order_inputs
from backend.orders import staff_orders
from backend.orders.models import Order
from backend.orders.staff_orders import QuotedLine, StaffQuote


@dataclass(frozen=True)
class DraftRow:
    id: uuid.UUID
    label: str
    status: str
    customer: str  # name, else e-mail, else "—"
    item_count: int
    updated_at: datetime
    order_number: str | None


@dataclass(frozen=True)
class DraftLine:
    id: uuid.UUID
    custom: bool
    quoted: QuotedLine


@dataclass(frozen=True)
class DraftDetail:
    id: uuid.UUID
    label: str
    status: str
    email: str
    has_account: bool
    details: dict[str, Any] | None
    manual_discount: Decimal
    discount_reason: str
    shipping_price: Decimal | None
    note: str
    lines: list[DraftLine]
    quote: StaffQuote  # its problems say what stops completing it
    order_number: str | None
    expires_at: datetime


def _allowed(by: Viewer) -> None:
    require_permission(by, Permission.ORDERS_EDIT, "see draft orders")


async def list_drafts(*, by: Viewer, status: str = "open", limit: int = 100) -> list[DraftRow]:
    """Drafts of one status, the last changed first."""
    _allowed(by)
    items = (
        select(func.coalesce(func.sum(DraftOrderLine.quantity), 0))
        .where(col(DraftOrderLine.draft_id) == col(DraftOrder.id))
        .scalar_subquery()
    )
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(DraftOrder, items, Order.number)
                .outerjoin(Order, col(Order.id) == col(DraftOrder.order_id))
                .where(DraftOrder.status == status)
                .order_by(col(DraftOrder.updated_at).desc())
                .limit(limit)
            )
        ).all()
    return [
        DraftRow(
            draft.id,
            draft.label,
            draft.status,
            str((draft.details or {}).get("full_name") or draft.email or "—"),
            int(count),
            draft.updated_at,
            number,
        )
        for draft, count, number in rows
    ]


async def get_draft(draft_id: uuid.UUID, *, by: Viewer) -> DraftDetail:
    """The draft with its lines priced now and its totals under the shop's tax and
    shipping rules (once it has an address)."""
    _allowed(by)
    async with read_scope() as session:
        draft = await session.get(DraftOrder, draft_id)
        if draft is None:
            raise NotFoundError(DRAFT_NOT_FOUND)
        lines = await draft_lines(session, draft_id)
        order = await session.get(Order, draft.order_id) if draft.order_id else None
        order_number = order.number if order is not None else None
        wanted, custom, details, terms = order_inputs(draft, lines)
        quote = await staff_orders.quote(
            session, wanted=wanted, custom=custom, details=details, terms=terms
        )
    return DraftDetail(
        id=draft.id,
        label=draft.label,
        status=draft.status,
        email=draft.email,
        has_account=draft.user_id is not None,
        details=draft.details,
        manual_discount=draft.manual_discount,
        discount_reason=draft.discount_reason,
        shipping_price=draft.shipping_price,
        note=draft.note,
        lines=_matched(lines, quote.lines),
        quote=quote,
        order_number=order_number,
        expires_at=draft.expires_at,
    )


def _matched(lines: list[DraftOrderLine], quoted: list[QuotedLine]) -> list[DraftLine]:
    """The draft's lines in their order, each with its priced form."""
    by_variant = {line.variant_id: line for line in quoted if line.variant_id is not None}
    custom = iter(line for line in quoted if line.variant_id is None)
    matched = []
    for line in lines:
        if line.variant_id is None:
            matched.append(DraftLine(line.id, True, next(custom)))
        elif (found := by_variant.get(line.variant_id)) is not None:
            matched.append(DraftLine(line.id, False, found))
    return matched


async def find_variants(term: str, *, by: Viewer) -> list[VariantSummary]:
    """Variants to add to a draft, by SKU or product name."""
    _allowed(by)
    return await find_sellable_variants(term, limit=8)
