"""Customers as administrators see them: accounts with their orders and what they are worth.

This lives in the orders domain because it reads orders per account, and orders already
depends on accounts (never the reverse: accounts importing orders would be a cycle). The
account side (search, roles, facts) comes from `backend.accounts.staff`.

Lifetime value (LTV), the one rule used by the list and the detail:
    the sum of `total - refunded_amount` over the account's orders whose payment status
    is `paid` or `partially_refunded`, that are not cancelled, in the shop's currency.
So a paid order counts in full, a partly refunded one counts what the shop kept, and
these count nothing: unpaid, failed or still processing payments; fully refunded orders
(nothing kept); cancelled orders (their money always goes back: a paid order is refunded
in full before it is cancelled, and a payment arriving after a cancellation is refunded
automatically, so it counts nothing even while that refund is on its way). Orders in
another currency (only if SHOP_CURRENCY changed after they were placed) are left out,
since amounts in different currencies do not add up.
Orders belong to an account by `user_id` only: guest orders placed with the same e-mail
address are not the account's (nobody proved they own that mailbox at the time), so they
are neither listed nor counted. Staff find them with the orders list's search.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.accounts import staff
from backend.accounts.models import User
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.accounts.staff import AccountDetail, AccountSummary
from backend.core.db import session_scope
from backend.core.money import quantize
from backend.core.pagination import Page, clamp_page
from backend.orders.models import Order
from backend.settings import get_settings

# Payment statuses under which the shop holds (part of) the order's money.
KEPT_PAYMENT_STATUSES = ("paid", "partially_refunded")
ZERO = Decimal("0.00")


def counts_toward_lifetime_value(currency: str) -> ColumnElement[bool]:
    """The orders the lifetime value adds up (see the module docstring)."""
    return (
        col(Order.payment_status).in_(KEPT_PAYMENT_STATUSES)
        & (col(Order.status) != "cancelled")
        & (col(Order.currency) == currency)
    )


def _kept_sum(currency: str) -> ColumnElement[Decimal]:
    kept = col(Order.total) - col(Order.refunded_amount)
    return func.coalesce(func.sum(kept).filter(counts_toward_lifetime_value(currency)), 0)


@dataclass(frozen=True)
class CustomerRow:
    """An account in the admin's list, with its order count and lifetime value."""

    account: AccountSummary
    order_count: int
    lifetime_value: Decimal
    currency: str


@dataclass(frozen=True)
class CustomerOrder:
    number: str
    created_at: datetime
    status: str
    payment_status: str
    total: Decimal
    refunded_amount: Decimal
    currency: str


@dataclass(frozen=True)
class CustomerDetail:
    account: AccountDetail
    currency: str
    lifetime_value: Decimal
    order_count: int  # every order the account placed, whatever became of it
    paid_order_count: int  # the orders the lifetime value adds up
    first_order_at: datetime | None
    last_order_at: datetime | None
    orders: Page[CustomerOrder]  # newest first


async def list_customers(
    actor: Viewer, *, search: str = "", page: int = 1, limit: int = 25
) -> Page[CustomerRow]:
    """`staff.list_accounts` with each account's order count and lifetime value: one
    query, whose grouped subquery only aggregates the orders of the page's accounts."""
    require_permission(actor, Permission.CUSTOMERS, "see customer accounts")
    page, limit = clamp_page(page, limit)
    currency = get_settings().shop_currency
    # The ids of the page's accounts, so only their orders are aggregated.
    listed = staff.account_page_query(search, page, limit).with_only_columns(col(User.id))
    totals = (
        select(
            col(Order.user_id).label("user_id"),
            func.count().label("order_count"),
            _kept_sum(currency).label("lifetime_value"),
        )
        .where(col(Order.user_id).in_(listed))
        .group_by(col(Order.user_id))
        .subquery()
    )
    query = (
        staff.account_page_query(search, page, limit)
        .add_columns(
            func.coalesce(totals.c.order_count, 0), func.coalesce(totals.c.lifetime_value, 0)
        )
        .outerjoin(totals, totals.c.user_id == col(User.id))
    )
    async with session_scope() as session:
        rows = (await session.exec(query)).all()  # type: ignore[call-overload]  # add_columns() gives SQLAlchemy's Select, which SQLModel's exec() overloads do not take
        total = (await session.exec(staff.account_count_query(search))).one()
    items = [
        CustomerRow(
            account=staff.account_summary(user, role_names, group_names),
            order_count=int(order_count),
            lifetime_value=quantize(Decimal(lifetime_value)),
            currency=currency,
        )
        for user, role_names, group_names, order_count, lifetime_value in rows
    ]
    return Page(items=items, total=total, page=page, limit=limit)


async def get_customer(
    actor: Viewer, user_id: uuid.UUID, *, page: int = 1, limit: int = 50
) -> CustomerDetail:
    """One account's facts, lifetime value, order figures and a page of its orders
    (newest first). NotFoundError if there is no such account."""
    require_permission(actor, Permission.CUSTOMERS, "see customer accounts")
    account = await staff.get_account(actor, user_id)
    page, limit = clamp_page(page, limit)
    currency = get_settings().shop_currency
    mine = col(Order.user_id) == user_id
    async with session_scope() as session:
        figures: tuple[Any, ...] = (
            await session.exec(
                SQLModelSelect(
                    func.count(),
                    func.count().filter(counts_toward_lifetime_value(currency)),
                    _kept_sum(currency),
                    func.min(Order.created_at),
                    func.max(Order.created_at),
                ).where(mine)
            )
        ).one()
        order_count, paid_count, lifetime_value, first_at, last_at = figures
        rows: Sequence[tuple[Any, ...]] = (
            await session.exec(
                SQLModelSelect(
                    col(Order.number),
                    col(Order.created_at),
                    col(Order.status),
                    col(Order.payment_status),
                    col(Order.total),
                    col(Order.refunded_amount),
                    col(Order.currency),
                )
                .where(mine)
                .order_by(col(Order.created_at).desc(), col(Order.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
    return CustomerDetail(
        account=account,
        currency=currency,
        lifetime_value=quantize(Decimal(lifetime_value)),
        order_count=order_count,
        paid_order_count=paid_count,
        first_order_at=first_at,
        last_order_at=last_at,
        orders=Page(
            items=[CustomerOrder(*row) for row in rows], total=order_count, page=page, limit=limit
        ),
    )
