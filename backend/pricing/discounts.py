"""Discount codes: looked up case-insensitively, checked (active, dates, minimum spend,
usage limit) and redeemed atomically inside the order's transaction; a cancelled or
expired order gives its use back in the cancellation's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import format_money
from backend.core.pagination import Page, clamp_page
from backend.pricing.errors import DiscountRefusedError
from backend.pricing.models import DiscountCode
from backend.pricing.totals import DiscountKind, DiscountRule
from backend.settings import get_settings

MAX_CODE_LENGTH = 40


def normalize_code(raw: str) -> str:
    return raw.strip().upper()[:MAX_CODE_LENGTH]


def _usable_now(now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(DiscountCode.is_active) == true(),
        or_(col(DiscountCode.starts_at).is_(None), col(DiscountCode.starts_at) <= now),
        or_(col(DiscountCode.expires_at).is_(None), col(DiscountCode.expires_at) > now),
        or_(
            col(DiscountCode.usage_limit).is_(None),
            col(DiscountCode.times_used) < col(DiscountCode.usage_limit),
        ),
    ]


def _why_refused(found: DiscountCode | None, subtotal: Decimal, now: datetime) -> str | None:
    """Why the code cannot be used for `subtotal` now; None when it can."""
    if found is None or not found.is_active:
        return "That discount code is not valid."
    if found.starts_at is not None and found.starts_at > now:
        return "That discount code is not valid yet."
    if found.expires_at is not None and found.expires_at <= now:
        return "That discount code has expired."
    if found.usage_limit is not None and found.times_used >= found.usage_limit:
        return "That discount code has been used up."
    if subtotal < found.min_subtotal:
        missing = format_money(found.min_subtotal - subtotal, get_settings().shop_currency)
        return f"Spend {missing} more to use this code."
    return None


async def _find(session: AsyncSession, code: str) -> DiscountCode | None:
    return (
        await session.exec(
            select(DiscountCode).where(func.upper(DiscountCode.code) == normalize_code(code))
        )
    ).first()


def _rule(found: DiscountCode) -> DiscountRule:
    kind: DiscountKind = "percent" if found.kind == "percent" else "fixed"
    return DiscountRule(code=found.code, kind=kind, value=found.value)


async def check_discount(code: str, subtotal: Decimal) -> DiscountRule:
    """The rule of a code usable for a cart worth `subtotal` now (for showing it at
    checkout); raises DiscountRefusedError saying why not. Redeeming happens with the
    order (`redeem_discount`)."""
    now = utcnow()
    async with session_scope() as session:
        found = await _find(session, code)
    reason = _why_refused(found, subtotal, now)
    if found is None or reason is not None:
        raise DiscountRefusedError(reason or "That discount code is not valid.")
    return _rule(found)


async def redeem_discount(session: AsyncSession, code: str, subtotal: Decimal) -> DiscountRule:
    """Count one use of `code`, in the caller's transaction, only if it is usable for
    `subtotal` right now. The check and the count are one UPDATE, so a code with one use
    left is redeemed once even by simultaneous orders."""
    now = utcnow()
    row = (
        await session.exec(
            update(DiscountCode)
            .where(
                func.upper(DiscountCode.code) == normalize_code(code),
                col(DiscountCode.min_subtotal) <= subtotal,
                *_usable_now(now),
            )
            .values(times_used=DiscountCode.times_used + 1)
            .returning(col(DiscountCode.code), col(DiscountCode.kind), col(DiscountCode.value))
        )
    ).first()
    if row is None:
        reason = _why_refused(await _find(session, code), subtotal, now)
        raise DiscountRefusedError(reason or "That discount code cannot be used right now.")
    code_text, kind, value = row
    return DiscountRule(
        code=code_text, kind="percent" if kind == "percent" else "fixed", value=value
    )


async def give_back_use(session: AsyncSession, code: str) -> None:
    """One use of `code` back, in the caller's transaction: its order was cancelled (or
    expired) without being kept. Never below zero (the table's CHECK says so too); the
    caller gives a use back once per order (an order is cancelled once)."""
    await session.exec(
        update(DiscountCode)
        .where(
            func.upper(DiscountCode.code) == normalize_code(code),
            col(DiscountCode.times_used) > 0,
        )
        .values(times_used=DiscountCode.times_used - 1)
    )


async def create_discount_code(
    code: str,
    *,
    kind: DiscountKind,
    value: Decimal,
    actor: Viewer,
    min_subtotal: Decimal = Decimal(0),
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
    usage_limit: int | None = None,
) -> DiscountRule:
    """A new code (admins). Raises InvalidInputError with a message per field."""
    require_permission(actor, Permission.PROMOTIONS, "manage discount codes")
    normalized = normalize_code(code)
    problems: dict[str, str] = {}
    if not normalized or not normalized.replace("-", "").replace("_", "").isalnum():
        problems["code"] = "Use letters, digits, - and _ only."
    if value <= 0 or (kind == "percent" and value > 100):
        problems["value"] = "A percentage is 1–100; an amount must be above zero."
    if min_subtotal < 0:
        problems["min_subtotal"] = "The minimum spend cannot be negative."
    if usage_limit is not None and usage_limit < 1:
        problems["usage_limit"] = "Allow at least one use, or leave it empty."
    if starts_at and expires_at and expires_at <= starts_at:
        problems["expires_at"] = "The code must expire after it starts."
    if problems:
        raise InvalidInputError("Please correct the discount code.", problems)
    async with session_scope() as session:
        if await _find(session, normalized) is not None:
            raise InvalidInputError(
                "Please correct the discount code.", {"code": "This code exists."}
            )
        created = DiscountCode(
            code=normalized,
            kind=kind,
            value=value,
            min_subtotal=min_subtotal,
            starts_at=starts_at,
            expires_at=expires_at,
            usage_limit=usage_limit,
        )
        session.add(created)
        audit.record(
            session,
            actor=actor,
            action="discount.created",
            entity_type="discount",
            entity_id=normalized,
            after=_snapshot(created),
        )
    return DiscountRule(code=normalized, kind=kind, value=value)


def _snapshot(code: DiscountCode) -> dict[str, object]:
    return {
        "kind": code.kind,
        "value": code.value,
        "min_subtotal": code.min_subtotal,
        "starts_at": code.starts_at,
        "expires_at": code.expires_at,
        "usage_limit": code.usage_limit,
        "active": code.is_active,
    }


async def set_discount_active(code: str, *, active: bool, actor: Viewer) -> None:
    """Switch a code off (or on again); it stays on record with its uses."""
    require_permission(actor, Permission.PROMOTIONS, "manage discount codes")
    async with session_scope() as session:
        found = await _find(session, code)
        if found is None:
            raise NotFoundError("There is no such discount code.")
        before = found.is_active
        found.is_active = active
        session.add(found)
        audit.record(
            session,
            actor=actor,
            action="discount.activated" if active else "discount.deactivated",
            entity_type="discount",
            entity_id=found.code,
            before={"active": before},
            after={"active": active},
        )


@dataclass(frozen=True)
class DiscountSummary:
    code: str
    kind: str
    value: Decimal
    min_subtotal: Decimal
    starts_at: datetime | None
    expires_at: datetime | None
    usage_limit: int | None
    times_used: int
    is_active: bool

    def describe(self, currency: str) -> str:
        amount = (
            f"{self.value.normalize():f} %"
            if self.kind == "percent"
            else format_money(self.value, currency)
        )
        return f"{amount} off"


def _summary(r: DiscountCode) -> DiscountSummary:
    return DiscountSummary(
        r.code,
        r.kind,
        r.value,
        r.min_subtotal,
        r.starts_at,
        r.expires_at,
        r.usage_limit,
        r.times_used,
        r.is_active,
    )


def _newest_first() -> tuple[Any, ...]:
    return (col(DiscountCode.created_at).desc(), col(DiscountCode.id))


async def list_discount_codes(actor: Viewer) -> list[DiscountSummary]:
    require_permission(actor, Permission.PROMOTIONS, "manage discount codes")
    async with session_scope() as session:
        rows = (await session.exec(select(DiscountCode).order_by(*_newest_first()))).all()
    return [_summary(r) for r in rows]


async def page_discount_codes(
    actor: Viewer, *, page: int = 1, limit: int = 25
) -> Page[DiscountSummary]:
    """The codes newest first, a page at a time (the API's list)."""
    require_permission(actor, Permission.PROMOTIONS, "manage discount codes")
    page, limit = clamp_page(page, limit)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(DiscountCode)
                .order_by(*_newest_first())
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (await session.exec(select(func.count()).select_from(DiscountCode))).one()
    return Page(items=[_summary(r) for r in rows], total=total, page=page, limit=limit)


async def get_discount_code(code: str, *, actor: Viewer) -> DiscountSummary:
    require_permission(actor, Permission.PROMOTIONS, "manage discount codes")
    async with session_scope() as session:
        found = await _find(session, code)
    if found is None:
        raise NotFoundError("There is no such discount code.")
    return _summary(found)
