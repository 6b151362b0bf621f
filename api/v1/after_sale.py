"""After an order: buy it again, and return items of it (refund or exchange).

The same services as the shopper's order page and return form
(`storefront/pages/orders.py`, `storefront/pages/returns.py`): only the signed-in
customer who placed the order uses these; anyone else gets a 404, as for no order at all.
The returns service checks everything else (delivered, the return window, quantities,
exchange variants) and names the field at fault.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Header, Path, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from api.v1.auth import CurrentViewer, OrderViewers
from api.v1.cart import CartOut
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import decimal_string
from backend.orders import queries as order_queries
from backend.orders import reorder
from backend.orders.ownership import ORDER_NOT_FOUND, Shopper
from backend.payments.queries import get_order_with_payments
from backend.returns import queries as return_queries
from backend.returns import requesting as return_requests
from backend.returns import status as return_status
from backend.returns.models import MAX_COMMENT_LENGTH, RETURN_REASONS
from backend.returns.requesting import MAX_QUANTITY
from backend.returns.schemas import OrderReturns, ReturnRecord

router = APIRouter(tags=["returns"], route_class=EdgeRoute)

OrderNumber = Annotated[
    str, Path(max_length=20, examples=["KG-ABCD-EFGH"], description="The order's number.")
]
ReturnNumber = Annotated[
    str, Path(max_length=20, examples=["RT-ABCD-EFGH"], description="The return's number.")
]

ReturnReason = Literal[
    "damaged", "wrong_item", "not_as_described", "does_not_fit", "no_longer_needed", "other"
]
# The schema's enum is the returns domain's list, kept in step here.
assert set(get_args(ReturnReason)) == set(RETURN_REASONS)
_REASON_CODES = {label: code for code, label in RETURN_REASONS.items()}

ReturnStatusName = Literal["requested", "approved", "rejected", "received", "refunded", "exchanged"]
assert set(get_args(ReturnStatusName)) == set(return_status.RETURN_STATUSES)

# The most lines an order can have from a cart (CART_MAX_LINES is at most 500).
MAX_RETURN_LINES = 500


# --- buy again ---------------------------------------------------------------------------


class BuyAgainOut(BaseModel):
    added: list[str] = Field(
        examples=[["Storm Coat", "Wool Scarf"]],
        description="The products put in your cart with the order's quantities (capped at "
        "stock and the per-line limit).",
    )
    unavailable: list[str] = Field(
        examples=[["Linen Shirt"]],
        description="The products that could not be added: no longer sold, sold out, or "
        "the cart is full.",
    )
    cart: CartOut = Field(description="Your cart after, at today's prices.")


@router.post(
    "/orders/{number}/buy-again",
    response_model=BuyAgainOut,
    tags=["orders"],
    summary="Put the products of one of your orders back in your cart, at today's prices",
    responses=problem_responses(400, 401, 404),
)
async def buy_again(number: OrderNumber, viewer: CurrentViewer) -> BuyAgainOut:
    """What could be added and what could not; nothing added is still a 200 (see
    `unavailable`). 404: not your order."""
    order = await get_order_with_payments(number.strip().upper())
    if not order_queries.may_view(order, Shopper(user_id=viewer.user_id)):
        raise NotFoundError(ORDER_NOT_FOUND)
    owner = cart_owners.user_owner(viewer.user_id)
    result = await reorder.buy_again(order, owner)
    return BuyAgainOut(
        added=list(result.added),
        unavailable=list(result.unavailable),
        cart=CartOut.of(await cart_queries.get_cart(owner)),
    )


# --- returns -----------------------------------------------------------------------------


class ReturnItemOut(BaseModel):
    name: str = Field(examples=["Storm Coat (M)"])
    quantity: int = Field(ge=1, description="How many are returned.")
    exchange_for: str | None = Field(
        examples=["Storm Coat (L)"],
        description="The variant sent instead of money back; null: refunded.",
    )


class ReturnOut(BaseModel):
    number: str = Field(examples=["RT-ABCD-EFGH"])
    status: ReturnStatusName = Field(
        description="requested → approved | rejected; approved → received; received → "
        "refunded | exchanged"
    )
    status_label: str = Field(examples=["requested, awaiting review"])
    created_at: datetime = Field(description="When it was asked for.")
    updated_at: datetime = Field(description="Its last change.")
    items: list[ReturnItemOut] = Field(description="What is returned.")
    reason: ReturnReason | None = Field(description="The reason's code")
    reason_label: str = Field(examples=["Does not fit"])
    comment: str = Field(description="Your note")
    decision_note: str = Field(description="What the shop said when it decided")
    refund_amount: Money | None = Field(description="What was refunded; null until then.")
    exchange_order_number: str | None = Field(
        description="The order sending the exchanged variants (after approval)."
    )
    exchange_order_status: str | None = Field(description="That order's status.")
    exchange_to_pay: Money = Field(
        description="The price difference left to pay on the exchange order (a payment "
        "link is e-mailed); it ships once paid."
    )

    @classmethod
    def of(cls, record: ReturnRecord) -> ReturnOut:
        code = _REASON_CODES.get(record.reason)
        return cls(
            number=record.number,
            status=record.status,
            status_label=return_status.label(record.status),
            created_at=record.created_at,
            updated_at=record.updated_at,
            items=[
                ReturnItemOut(
                    name=item.name, quantity=item.quantity, exchange_for=item.exchange_for or None
                )
                for item in record.items
            ],
            reason=code,
            reason_label=record.reason,
            comment=record.comment,
            decision_note=record.decision_note,
            refund_amount=(
                decimal_string(record.refund_amount) if record.refund_amount is not None else None
            ),
            exchange_order_number=record.exchange_order_number or None,
            exchange_order_status=record.exchange_order_status or None,
            exchange_to_pay=decimal_string(record.exchange_to_pay),
        )


class OrderReturnsOut(BaseModel):
    order_number: str = Field(examples=["KG-ABCD-EFGH"])
    currency: str = Field(examples=["EUR"], description="Of every amount here.")
    returns: list[ReturnOut] = Field(description="Oldest first.")
    can_request: bool = Field(description="You may ask to return items now.")
    refusal: str = Field(
        examples=["Items can be returned once the order has been delivered."],
        description='Why not ("" when you may).',
    )
    deadline: datetime | None = Field(
        description="The end of the return window; null before delivery."
    )

    @classmethod
    def of(cls, found: OrderReturns) -> OrderReturnsOut:
        return cls(
            order_number=found.order_number,
            currency=found.currency,
            returns=[ReturnOut.of(record) for record in found.returns],
            can_request=found.can_request,
            refusal=found.refusal,
            deadline=found.deadline,
        )


class ReasonOut(BaseModel):
    code: ReturnReason = Field(description="Send it as `reason`.")
    label: str = Field(examples=["Does not fit"])


class ExchangeChoiceOut(BaseModel):
    variant_id: uuid.UUID = Field(description="Send it as the line's `exchange_variant_id`.")
    title: str = Field(examples=["L / Navy"], description="Its options")
    price: Money = Field(description="What it sells for now")


class ReturnableLineOut(BaseModel):
    line_id: uuid.UUID = Field(description="The order line; name it in POST …/returns.")
    name: str = Field(examples=["Storm Coat (M)"])
    delivered: int = Field(ge=0, description="How many were delivered")
    returnable: int = Field(ge=0, description="How many may still be returned")
    exchange_choices: list[ExchangeChoiceOut] = Field(
        description="Other variants of the product in stock now, to take instead of money "
        "back (empty: refund only)."
    )


class ReturnOptionsOut(BaseModel):
    """What the return form offers."""

    order_number: str = Field(examples=["KG-ABCD-EFGH"])
    currency: str = Field(examples=["EUR"], description="Of every price here.")
    can_request: bool = Field(description="You may ask to return items now.")
    refusal: str = Field(description='Why no return can be asked for now ("" when it can).')
    deadline: datetime | None = Field(description="The end of the return window.")
    reasons: list[ReasonOut] = Field(description="The reasons to choose from.")
    comment_max_length: int = Field(
        examples=[MAX_COMMENT_LENGTH], description="The longest `comment` accepted."
    )
    lines: list[ReturnableLineOut] = Field(description="Every line of the order.")


class ReturnLineIn(BaseModel):
    line_id: uuid.UUID = Field(description="An order line (GET …/return-options).")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="How many to return.")
    exchange_variant_id: uuid.UUID | None = Field(
        default=None,
        description="Another variant of the product to get instead of money back (one of "
        "the line's `exchange_choices`); its stock is held at once. Null: refund.",
    )


class ReturnRequestIn(BaseModel):
    """What to return, and why."""

    lines: list[ReturnLineIn] = Field(
        min_length=1,
        max_length=MAX_RETURN_LINES,
        description="The order lines to return, each once, with how many.",
    )
    reason: ReturnReason = Field(description="One of GET …/return-options' `reasons`.")
    comment: str = Field(
        default="", max_length=MAX_COMMENT_LENGTH, examples=["Too small in the shoulders."]
    )

    @field_validator("lines")
    @classmethod
    def _each_line_once(cls, lines: list[ReturnLineIn]) -> list[ReturnLineIn]:
        if len({line.line_id for line in lines}) != len(lines):
            msg = "Name each order line once."
            raise ValueError(msg)
        return lines


async def _own_returns(number: str, viewer: Viewer) -> OrderReturns:
    return await return_queries.returns_for_shopper(number.strip().upper(), viewer=viewer)


def _request_key(viewer: Viewer, order_id: uuid.UUID, key: str | None) -> str:
    """The form's request key: the client's `Idempotency-Key` made private to the caller
    and the order (32 hex characters), else a fresh one."""
    if key is None:
        return uuid.uuid4().hex
    scoped = f"api:return:{viewer.user_id}:{order_id}:{key}"
    return hashlib.sha256(scoped.encode()).hexdigest()[:32]


def _api_fields(error: InvalidInputError, body: ReturnRequestIn) -> InvalidInputError:
    """The service's form fields (`line-<id>`, `exchange-<id>`) named as the body's."""
    index = {str(line.line_id): i for i, line in enumerate(body.lines)}
    renamed: dict[str, str] = {}
    for field, message in error.field_errors.items():
        kind, _, line_id = field.partition("-")
        if line_id in index and kind in ("line", "exchange"):
            leaf = "quantity" if kind == "line" else "exchange_variant_id"
            renamed[f"lines.{index[line_id]}.{leaf}"] = message
        else:
            renamed[field] = message
    return InvalidInputError(error.message, renamed)


@router.get(
    "/orders/{number}/returns",
    response_model=OrderReturnsOut,
    summary="Your order's returns, and whether you may ask for another",
    responses=problem_responses(400, 401, 404),
)
async def list_order_returns(number: OrderNumber, viewer: CurrentViewer) -> OrderReturnsOut:
    """An order has a handful of returns at most: all of them, oldest first. 404: not
    your order."""
    return OrderReturnsOut.of(await _own_returns(number, viewer))


@router.get(
    "/admin/orders/{number}/returns",
    response_model=OrderReturnsOut,
    summary="An order's returns, as its customer sees them (staff)",
    responses=problem_responses(400, 401, 403, 404),
)
async def list_order_returns_for_staff(
    number: OrderNumber, viewer: OrderViewers
) -> OrderReturnsOut:
    """The returns desk's view of one order (`GET /admin/returns/{id}` has a return's
    steps); `can_request` says whether its customer may still ask for one."""
    return OrderReturnsOut.of(
        await return_queries.returns_for_staff(number.strip().upper(), actor=viewer)
    )


@router.get(
    "/orders/{number}/returns/{return_number}",
    response_model=ReturnOut,
    summary="One return of your order",
    responses=problem_responses(400, 401, 404),
)
async def get_order_return(
    number: OrderNumber, return_number: ReturnNumber, viewer: CurrentViewer
) -> ReturnOut:
    """With its refund and exchange order once there are. 404: not your order's."""
    found = await _own_returns(number, viewer)
    wanted = return_number.strip().upper()
    for record in found.returns:
        if record.number == wanted:
            return ReturnOut.of(record)
    raise NotFoundError("There is no such return.")


@router.get(
    "/orders/{number}/return-options",
    response_model=ReturnOptionsOut,
    summary="What of your order may be returned: lines, quantities, reasons, exchanges",
    responses=problem_responses(400, 401, 404),
)
async def return_options(number: OrderNumber, viewer: CurrentViewer) -> ReturnOptionsOut:
    """What the return form offers. 404: not your order."""
    found = await _own_returns(number, viewer)
    return ReturnOptionsOut(
        order_number=found.order_number,
        currency=found.currency,
        can_request=found.can_request,
        refusal=found.refusal,
        deadline=found.deadline,
        reasons=[ReasonOut(code=code, label=label) for code, label in RETURN_REASONS.items()],
        comment_max_length=MAX_COMMENT_LENGTH,
        lines=[
            ReturnableLineOut(
                line_id=line.order_line_id,
                name=line.name,
                delivered=line.delivered,
                returnable=line.returnable,
                exchange_choices=[
                    ExchangeChoiceOut(
                        variant_id=choice.variant_id,
                        title=choice.title,
                        price=decimal_string(choice.price),
                    )
                    for choice in line.exchange_choices
                ],
            )
            for line in found.lines
        ],
    )


@router.post(
    "/orders/{number}/returns",
    status_code=status.HTTP_201_CREATED,
    response_model=ReturnOut,
    summary="Ask to return items of your delivered order (refund or exchange)",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 404, 409),
    },
)
async def request_return(
    number: OrderNumber,
    body: ReturnRequestIn,
    viewer: CurrentViewer,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Recommended: a retry with the same key asks for nothing twice.",
        ),
    ] = None,
) -> JSONResponse:
    """The shop reviews the request; you are e-mailed at each step. Exchanged variants'
    stock is held now. 400: a field at fault (`errors` names it: `lines.0.quantity` more
    than may be returned, `lines.0.exchange_variant_id` not a choice or out of stock).
    409: the order cannot be returned (not delivered yet, the return window passed).
    404: not your order."""
    found = await _own_returns(number, viewer)
    try:
        return_number = await return_requests.request_return(
            found.order_id,
            viewer=viewer,
            quantities={line.line_id: line.quantity for line in body.lines},
            reason=body.reason,
            comment=body.comment,
            request_key=_request_key(viewer, found.order_id, idempotency_key),
            exchanges={
                line.line_id: line.exchange_variant_id
                for line in body.lines
                if line.exchange_variant_id is not None
            },
        )
    except InvalidInputError as error:
        raise _api_fields(error, body) from error
    after = await _own_returns(found.order_number, viewer)
    record = next(r for r in after.returns if r.number == return_number)
    return JSONResponse(
        ReturnOut.of(record).model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/orders/{found.order_number}/returns/{return_number}"},
    )
