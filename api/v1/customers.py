"""Customers (the customers permission): find accounts with their orders and lifetime
value, read one customer (facts, order figures, a page of orders, tags and notes), add
notes, set tags, answer their privacy requests (export their data, erase them), and lock
or unlock an account (a staff member's account also takes the staff permission). Which
staff groups an account is in: the staff permission."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import CustomersStaff, StaffManagers
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.accounts import customer_notes, staff, staff_groups
from backend.accounts.customer_notes import Note
from backend.accounts.staff import AccountSummary
from backend.core.money import decimal_string
from backend.core.pagination import MAX_PAGE_SIZE
from backend.orders import customers
from backend.privacy import erasure as privacy_erasure
from backend.privacy import export as privacy_export

router = APIRouter(tags=["customers"], route_class=EdgeRoute)

SEARCH_MAX_LENGTH = 100  # what the admin's accounts search keeps
Page = Annotated[int, Query(ge=1, le=10_000, description="The page, from 1.")]


class AccountOut(BaseModel):
    user_id: uuid.UUID
    username: str
    email: str = Field(examples=["ada@example.com"])
    name: str = Field(examples=["Ada Lovelace"])
    status: str = Field(
        description="`active`, `locked` (by staff, or for a while after failed sign-ins), "
        "`suspended` or `pending` (address not confirmed yet).",
        examples=["active"],
    )
    roles: list[str] = Field(examples=[["customer"]])
    staff_groups: list[str] = Field(description="The names of the account's staff groups.")
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, account: AccountSummary) -> AccountOut:
        return cls(
            user_id=account.user_id,
            username=account.username,
            email=account.email,
            name=account.name,
            status=account.status,
            roles=list(account.roles),
            staff_groups=list(account.staff_groups),
            created_at=account.created_at,
            last_login_at=account.last_login_at,
        )


LIFETIME_VALUE_HELP = (
    "What the shop kept from the account's paid, not cancelled orders (totals minus "
    "refunds), in the shop's currency."
)


class CustomerListItem(AccountOut):
    order_count: int = Field(ge=0, description="Every order the account placed.")
    lifetime_value: str = Field(description=LIFETIME_VALUE_HELP, examples=["249.90"])
    currency: str = Field(examples=["USD"])


class CustomerOrderOut(BaseModel):
    number: str = Field(examples=["KG-2026-000123"])
    created_at: datetime
    status: str = Field(examples=["delivered"])
    payment_status: str = Field(examples=["paid"])
    total: str = Field(examples=["59.90"])
    refunded_amount: str = Field(examples=["0.00"])
    currency: str = Field(examples=["USD"])


class NoteOut(BaseModel):
    id: uuid.UUID
    body: str
    author: str = Field(description="The staff member, as named when they wrote it.")
    created_at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(id=note.id, body=note.body, author=note.author, created_at=note.created_at)


class CustomerOut(AccountOut):
    address_count: int = Field(ge=0, description="Saved addresses.")
    currency: str = Field(examples=["USD"])
    lifetime_value: str = Field(description=LIFETIME_VALUE_HELP, examples=["249.90"])
    order_count: int = Field(ge=0, description="Every order the account placed.")
    paid_order_count: int = Field(ge=0, description="The orders the lifetime value adds up.")
    first_order_at: datetime | None
    last_order_at: datetime | None
    orders: Paged[CustomerOrderOut] = Field(description="A page of the orders, newest first.")
    tags: list[str] = Field(description="Staff tags, alphabetical.", examples=[["vip"]])
    notes: list[NoteOut] = Field(description="Staff notes, newest first.")


class NoteIn(BaseModel):
    note: str = Field(
        min_length=1,
        max_length=customer_notes.MAX_NOTE_LENGTH,
        description=customer_notes.NOTE_HINT,
        examples=["Prefers deliveries after 5 pm."],
    )


class TagsIn(BaseModel):
    tags: list[Annotated[str, Field(max_length=customer_notes.MAX_TAG_LENGTH)]] = Field(
        max_length=customer_notes.MAX_TAGS,
        description="The customer's tags from now on (replacing theirs; [] removes them all). "
        "Kept lower-case and trimmed, duplicates once. Each: letters, digits, spaces, hyphens "
        "or underscores.",
        examples=[["vip", "wholesale"]],
    )


class TagsOut(BaseModel):
    tags: list[str] = Field(description="The tags kept, alphabetical.", examples=[["vip"]])


class CustomerErasureOut(BaseModel):
    user_id: uuid.UUID = Field(description="The account erased (it no longer exists).")
    orders_anonymised: int = Field(
        ge=0, description="The customer's orders kept for the books, without personal data."
    )


class LockIn(BaseModel):
    locked: bool = Field(
        description="true: lock the account until unlocked (ending every sign-in); false: "
        "unlock it.",
        examples=[True],
    )


class AccountGroupsOut(BaseModel):
    user_id: uuid.UUID
    group_ids: list[uuid.UUID] = Field(
        description="The staff groups the account is in (GET /admin/staff-groups names them)."
    )


async def _customer(
    viewer: CustomersStaff, user_id: uuid.UUID, page: int, limit: int
) -> CustomerOut:
    detail = await customers.get_customer(viewer, user_id, page=page, limit=limit)
    remarks = await customer_notes.remarks_about(user_id, actor=viewer)
    orders = detail.orders
    return CustomerOut(
        **AccountOut.of(detail.account).model_dump(),
        address_count=detail.account.address_count,
        currency=detail.currency,
        lifetime_value=decimal_string(detail.lifetime_value),
        order_count=detail.order_count,
        paid_order_count=detail.paid_order_count,
        first_order_at=detail.first_order_at,
        last_order_at=detail.last_order_at,
        orders=Paged[CustomerOrderOut](
            items=[
                CustomerOrderOut(
                    number=o.number,
                    created_at=o.created_at,
                    status=o.status,
                    payment_status=o.payment_status,
                    total=decimal_string(o.total),
                    refunded_amount=decimal_string(o.refunded_amount),
                    currency=o.currency,
                )
                for o in orders.items
            ],
            pagination=PageMeta.of(page=orders.page, limit=orders.limit, total=orders.total),
        ),
        tags=list(remarks.tags),
        notes=[NoteOut.of(note) for note in remarks.notes],
    )


@router.get(
    "/admin/customers",
    response_model=Paged[CustomerListItem],
    summary="Find accounts (customers and staff), newest first, with orders and lifetime value",
    responses=problem_responses(400, 401, 403),
)
async def list_customers(
    viewer: CustomersStaff,
    search: Annotated[
        str,
        Query(
            max_length=SEARCH_MAX_LENGTH,
            description="Part of the e-mail address, username or last name (any case).",
        ),
    ] = "",
    page: Page = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Paged[CustomerListItem]:
    result = await customers.list_customers(viewer, search=search.strip(), page=page, limit=limit)
    return Paged[CustomerListItem](
        items=[
            CustomerListItem(
                **AccountOut.of(row.account).model_dump(),
                order_count=row.order_count,
                lifetime_value=decimal_string(row.lifetime_value),
                currency=row.currency,
            )
            for row in result.items
        ],
        pagination=PageMeta.of(page=result.page, limit=result.limit, total=result.total),
    )


@router.get(
    "/admin/customers/{user_id}",
    response_model=CustomerOut,
    summary="One customer: facts, order figures, a page of their orders, tags and notes",
    responses=problem_responses(400, 401, 403, 404),
)
async def get_customer(
    user_id: uuid.UUID,
    viewer: CustomersStaff,
    page: Page = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Orders per page.")] = 50,
) -> CustomerOut:
    return await _customer(viewer, user_id, page, limit)


@router.post(
    "/admin/customers/{user_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteOut,
    summary="Add a staff note about a customer (audited)",
    responses=problem_responses(400, 401, 403, 404),
)
async def add_note(user_id: uuid.UUID, data: NoteIn, viewer: CustomersStaff) -> JSONResponse:
    note = await customer_notes.add_note(user_id, data.note, actor=viewer)
    return JSONResponse(
        NoteOut.of(note).model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/customers/{user_id}"},
    )


@router.put(
    "/admin/customers/{user_id}/tags",
    response_model=TagsOut,
    summary="Replace a customer's tags (audited)",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_tags(user_id: uuid.UUID, data: TagsIn, viewer: CustomersStaff) -> TagsOut:
    return TagsOut(tags=list(await customer_notes.set_tags(user_id, data.tags, actor=viewer)))


@router.post(
    "/admin/customers/{user_id}/data-export",
    response_model=dict[str, Any],
    summary="Everything the shop holds about a customer, for their data request",
    description="The same JSON document the customer gets from their own account page: "
    "their account, addresses, orders, reviews, wishlist, messages and more.",
    responses=problem_responses(400, 401, 403, 404),
)
async def export_customer_data(user_id: uuid.UUID, viewer: CustomersStaff) -> dict[str, Any]:
    return await privacy_export.export_customer_data(user_id, actor=viewer)


@router.post(
    "/admin/customers/{user_id}/erasure",
    response_model=CustomerErasureOut,
    summary="Erase a customer at their request",
    description="Deletes the account and what identifies them; their orders stay for the "
    "books without personal data. 409 while an order of theirs is still under way and for "
    "your own account (erase it from your account page); a staff member's account also "
    "takes the staff permission (403).",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def erase_customer(user_id: uuid.UUID, viewer: CustomersStaff) -> CustomerErasureOut:
    done = await privacy_erasure.erase_customer(user_id, actor=viewer)
    return CustomerErasureOut(user_id=done.user_id, orders_anonymised=done.orders_anonymised)


@router.put(
    "/admin/accounts/{user_id}/locked",
    response_model=AccountOut,
    summary="Lock or unlock an account (audited)",
    description="The customers permission; a staff member's account also takes the staff "
    "permission (403). Locking ends every sign-in of the account; nobody locks their own (400).",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_locked(user_id: uuid.UUID, data: LockIn, viewer: CustomersStaff) -> AccountOut:
    await staff.set_locked(viewer, user_id, locked=data.locked)
    return AccountOut.of(await staff.get_account(viewer, user_id))


@router.get(
    "/admin/accounts/{user_id}/groups",
    response_model=AccountGroupsOut,
    summary="The staff groups an account is in",
    responses=problem_responses(400, 401, 403, 404),
)
async def account_groups(user_id: uuid.UUID, viewer: StaffManagers) -> AccountGroupsOut:
    return AccountGroupsOut(
        user_id=user_id, group_ids=await staff_groups.groups_of(viewer, user_id)
    )
