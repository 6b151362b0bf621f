"""The returns desk (admins): every return by status, one return with its lines and the
steps its state allows the caller, and the steps themselves: approve (sending the
exchange, if any) or reject with a reason (orders: refund), receive the parcel and
optionally restock it (orders: fulfil), refund it (orders: refund). The same services as
the admin's returns and order pages (`backend/returns`); each checks its permission again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.v1.auth import OrderFulfilmentStaff, OrderRefundStaff, OrderViewers
from api.v1.edge import EdgeRoute
from api.v1.order_schemas import RefundAmount
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.accounts.schemas import Viewer
from backend.core.money import decimal_string
from backend.returns import deciding, queries, receiving
from backend.returns import status as return_status
from backend.returns.models import MAX_DECISION_NOTE_LENGTH

router = APIRouter(prefix="/admin/returns", tags=["returns"], route_class=EdgeRoute)

ReturnStatusName = Literal["requested", "approved", "rejected", "received", "refunded", "exchanged"]
ReturnActionName = Literal["approve", "reject", "receive", "refund"]
# The literals are the domain's own lists (checked when the API loads).
assert set(get_args(ReturnStatusName)) == set(return_status.RETURN_STATUSES)
assert set(get_args(ReturnActionName)) == {action.value for action in return_status.ReturnAction}


class ReturnListParams(BaseModel):
    status: Literal["all", ReturnStatusName] = Field(
        default="all",
        description="Only returns in this state (the admin list starts at `requested`: "
        "what waits for a decision).",
    )
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=25, ge=1, le=100)


class ReturnListItem(BaseModel):
    id: uuid.UUID = Field(description="What GET /admin/returns/{id} and the steps take.")
    number: str = Field(examples=["R-KG-ABCD-EFGH-1"])
    order_number: str = Field(examples=["KG-ABCD-EFGH"])
    customer_name: str
    email: str
    status: ReturnStatusName
    created_at: datetime = Field(description="When the customer asked.")
    item_count: int = Field(ge=1, description="Items in the return.")
    reason: str = Field(examples=["Does not fit"], description="The reason, as shown to staff.")
    refund_amount: Money | None = Field(description="What was refunded, once refunded.")
    currency: str = Field(examples=["USD"])


class StaffReturnItemOut(BaseModel):
    name: str = Field(examples=["Storm Coat (M)"])
    quantity: int = Field(ge=1)
    exchange_for: str | None = Field(
        description="The variant sent instead of money back (null: refunded).",
        examples=["Storm Coat (L)"],
    )


class StaffExchangeChoiceOut(BaseModel):
    variant_id: uuid.UUID
    title: str = Field(examples=["L / Navy"], description="The variant's options.")
    price: Money


class OrderLineReturnsOut(BaseModel):
    """A line of the return's order: how much of it was delivered and may still be
    returned, and the product's other variants in stock (what an exchange may be for)."""

    order_line_id: uuid.UUID
    name: str
    delivered: int = Field(ge=0)
    returnable: int = Field(ge=0, description="Not in any return yet (rejected ones aside).")
    exchange_choices: list[StaffExchangeChoiceOut]


class ExchangeOrderOut(BaseModel):
    number: str = Field(description="The order sending the variants asked for in exchange.")
    status: str = Field(description="That order's status.")
    to_pay: Money = Field(description="What the customer still owes on it (a dearer variant).")


class StaffReturnOut(BaseModel):
    id: uuid.UUID
    number: str
    order_number: str
    status: ReturnStatusName
    status_label: str = Field(examples=["requested, awaiting review"])
    created_at: datetime
    updated_at: datetime
    items: list[StaffReturnItemOut]
    reason: str = Field(description="The reason, as shown to staff.")
    comment: str = Field(description="The customer's note.")
    decision_note: str = Field(description="The approval's note or the rejection's reason.")
    restocked: bool = Field(description="Received and put back in stock.")
    refund_amount: Money | None
    suggested_refund: Money = Field(
        description="What `POST …/refund` refunds without an amount: the returned goods' "
        "value and exchange credit not used, at most what the order has left to refund."
    )
    refundable: Money = Field(description="What the order has left to refund.")
    currency: str
    exchange_order: ExchangeOrderOut | None
    allowed_actions: list[ReturnActionName] = Field(
        description="The steps the return's state allows and the caller may take "
        "(approving a return with exchanges also needs orders: edit).",
        examples=[["approve", "reject"]],
    )
    order_lines: list[OrderLineReturnsOut]


class ApproveIn(BaseModel):
    note: str = Field(
        default="",
        max_length=MAX_DECISION_NOTE_LENGTH,
        description="Sent to the customer with the approval.",
        examples=["Use any carrier; keep the receipt."],
    )


class RejectIn(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=MAX_DECISION_NOTE_LENGTH,
        description="Why: sent to the customer.",
        examples=["Worn items cannot be returned."],
    )


class ReceiveIn(BaseModel):
    restock: bool = Field(
        default=True,
        description="Put the items back on sale (the admin form's box, ticked by default).",
    )


class ReturnRefundIn(BaseModel):
    amount: RefundAmount | None = Field(
        default=None, description="Leave out to refund `suggested_refund`."
    )


async def _return_out(return_id: uuid.UUID, viewer: Viewer) -> StaffReturnOut:
    found = await queries.return_for_staff(return_id, actor=viewer)
    record, order = found.record, found.order
    sent = record.exchange_order_number
    return StaffReturnOut(
        id=record.id,
        number=record.number,
        order_number=order.order_number,
        status=record.status,
        status_label=return_status.label(record.status),
        created_at=record.created_at,
        updated_at=record.updated_at,
        items=[
            StaffReturnItemOut(
                name=i.name, quantity=i.quantity, exchange_for=i.exchange_for or None
            )
            for i in record.items
        ],
        reason=record.reason,
        comment=record.comment,
        decision_note=record.decision_note,
        restocked=record.restocked,
        refund_amount=(
            None if record.refund_amount is None else decimal_string(record.refund_amount)
        ),
        suggested_refund=decimal_string(record.suggested_refund),
        refundable=decimal_string(order.refundable),
        currency=order.currency,
        exchange_order=(
            ExchangeOrderOut(
                number=sent,
                status=record.exchange_order_status,
                to_pay=decimal_string(record.exchange_to_pay),
            )
            if sent
            else None
        ),
        allowed_actions=sorted(
            action.value
            for action in return_status.staff_actions(record.status, viewer.permissions)
        ),
        order_lines=[
            OrderLineReturnsOut(
                order_line_id=line.order_line_id,
                name=line.name,
                delivered=line.delivered,
                returnable=line.returnable,
                exchange_choices=[
                    StaffExchangeChoiceOut(
                        variant_id=c.variant_id, title=c.title, price=decimal_string(c.price)
                    )
                    for c in line.exchange_choices
                ],
            )
            for line in order.lines
        ],
    )


@router.get(
    "",
    response_model=Paged[ReturnListItem],
    summary="Every return, newest first, optionally of one status (admins)",
    responses=problem_responses(400, 401, 403),
)
async def list_returns(
    viewer: OrderViewers, query: Annotated[ReturnListParams, Query()]
) -> Paged[ReturnListItem]:
    found = await queries.list_returns(
        viewer,
        status=None if query.status == "all" else query.status,
        page=query.page,
        limit=query.limit,
    )
    return Paged[ReturnListItem](
        items=[
            ReturnListItem(
                id=row.id,
                number=row.number,
                order_number=row.order_number,
                customer_name=row.customer_name,
                email=row.email,
                status=row.status,
                created_at=row.created_at,
                item_count=row.item_count,
                reason=row.reason,
                refund_amount=(
                    None if row.refund_amount is None else decimal_string(row.refund_amount)
                ),
                currency=row.currency,
            )
            for row in found.items
        ],
        pagination=PageMeta.of_page(found),  # type: ignore[arg-type]  # Page is read-only
    )


@router.get(
    "/{return_id}",
    response_model=StaffReturnOut,
    summary="One return: its items, its order's lines, the steps you may take (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_return(return_id: uuid.UUID, viewer: OrderViewers) -> StaffReturnOut:
    return await _return_out(return_id, viewer)


@router.post(
    "/{return_id}/approve",
    response_model=StaffReturnOut,
    summary="Approve a requested return; its exchange, if any, is sent as an order (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def approve_return(
    return_id: uuid.UUID, body: ApproveIn, viewer: OrderRefundStaff
) -> StaffReturnOut:
    """The customer is e-mailed how to send the items back. A return asking for other
    variants in exchange places an order for them (held in stock since the request,
    shipped free, a dearer variant's difference asked for by a payment link): that needs
    orders: edit as well (403 otherwise). 409: the return is not waiting for a decision."""
    await deciding.approve_return(return_id, note=body.note, actor=viewer)
    return await _return_out(return_id, viewer)


@router.post(
    "/{return_id}/reject",
    response_model=StaffReturnOut,
    summary="Reject a requested return, saying why (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def reject_return(
    return_id: uuid.UUID, body: RejectIn, viewer: OrderRefundStaff
) -> StaffReturnOut:
    """Its items become returnable again; stock held for exchanges goes back on sale.
    409: the return is not waiting for a decision."""
    await deciding.reject_return(return_id, reason=body.reason, actor=viewer)
    return await _return_out(return_id, viewer)


@router.post(
    "/{return_id}/receive",
    response_model=StaffReturnOut,
    summary="The parcel is back: mark an approved return received, restocking it or not",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def receive_return(
    return_id: uuid.UUID, body: ReceiveIn, viewer: OrderFulfilmentStaff
) -> StaffReturnOut:
    """A return whose every line was exchanged, with no credit left, is then `exchanged`
    (done). 409: the return is not approved (or received already)."""
    await receiving.receive_return(return_id, restock=body.restock, actor=viewer)
    return await _return_out(return_id, viewer)


@router.post(
    "/{return_id}/refund",
    response_model=StaffReturnOut,
    summary="Refund a received return through the payment provider (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def refund_return(
    return_id: uuid.UUID, body: ReturnRefundIn, viewer: OrderRefundStaff
) -> StaffReturnOut:
    """One refund per return however often it is sent (the provider's call carries the
    return's own key). 400: more than the order has left to refund. 409: the return is
    not received, or the provider refused the refund."""
    await receiving.refund_return(
        return_id,
        amount=None if body.amount is None else Decimal(body.amount),
        actor=viewer,
    )
    return await _return_out(return_id, viewer)
