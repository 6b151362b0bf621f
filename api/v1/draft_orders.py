"""Draft (phone) orders for staff with the orders: create and edit permission: build an
order for a customer, see it priced under the shop's rules, complete it once (paid by hand
or by a payment link e-mailed to the customer). Every answer about one draft is the draft
as it stands, priced now."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import OrderEditors
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.accounts.schemas import Viewer
from backend.core.money import decimal_string
from backend.drafts import queries as draft_queries
from backend.drafts import services as drafts
from backend.drafts.queries import DraftDetail
from backend.pricing.totals import tax_rows

router = APIRouter(prefix="/admin/draft-orders", tags=["draft orders"], route_class=EdgeRoute)

MoneyIn = Annotated[str, Field(pattern=r"^\d{1,8}(\.\d{1,2})?$", examples=["12.50"])]


class DraftLineOut(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID | None = Field(description="null for a custom line")
    name: str
    sku: str
    unit_price: str
    quantity: int
    line_total: str
    in_stock: int | None = Field(description="What is in stock now; null for a custom line")


class TotalsOut(BaseModel):
    subtotal: str
    discount: str
    shipping: str
    shipping_method: str
    tax: str
    tax_rows: list[tuple[str, str]]
    total: str
    prices_include_tax: bool


class DraftOut(BaseModel):
    id: uuid.UUID
    number: str = Field(examples=["D1042"])
    status: Literal["open", "completed", "expired"]
    email: str
    has_account: bool
    customer: dict[str, Any] | None = Field(description="Name, address, phone, method")
    manual_discount: str
    discount_reason: str
    shipping_price: str | None = Field(description="null: the shipping method's rate")
    note: str
    lines: list[DraftLineOut]
    totals: TotalsOut | None = Field(description="null until the draft has an address")
    problems: list[str] = Field(description="What stops the draft being completed now")
    order_number: str | None
    expires_at: str

    @classmethod
    def of(cls, draft: DraftDetail) -> DraftOut:
        charges = draft.quote.charges
        totals = None
        if charges is not None:
            t = charges.totals
            totals = TotalsOut(
                subtotal=decimal_string(t.subtotal),
                discount=decimal_string(t.discount),
                shipping=decimal_string(t.shipping),
                shipping_method=charges.method.code,
                tax=decimal_string(t.tax),
                tax_rows=[
                    (label, decimal_string(amount))
                    for label, amount in tax_rows(
                        t.tax_lines, t.tax, prices_include_tax=t.prices_include_tax
                    )
                ],
                total=decimal_string(t.total),
                prices_include_tax=t.prices_include_tax,
            )
        return cls(
            id=draft.id,
            number=draft.label,
            status=draft.status,
            email=draft.email,
            has_account=draft.has_account,
            customer=draft.details,
            manual_discount=decimal_string(draft.manual_discount),
            discount_reason=draft.discount_reason,
            shipping_price=(
                None if draft.shipping_price is None else decimal_string(draft.shipping_price)
            ),
            note=draft.note,
            lines=[
                DraftLineOut(
                    id=line.id,
                    variant_id=line.quoted.variant_id,
                    name=line.quoted.title,
                    sku=line.quoted.sku,
                    unit_price=decimal_string(line.quoted.unit_price),
                    quantity=line.quoted.quantity,
                    line_total=decimal_string(line.quoted.line_total),
                    in_stock=line.quoted.in_stock,
                )
                for line in draft.lines
            ],
            totals=totals,
            problems=draft.quote.problems,
            order_number=draft.order_number,
            expires_at=draft.expires_at.isoformat(),
        )


class DraftRowOut(BaseModel):
    id: uuid.UUID
    number: str
    status: str
    customer: str
    item_count: int
    updated_at: str
    order_number: str | None


class NewDraftIn(BaseModel):
    email: str = Field(default="", max_length=255, description="The customer's, if known")


class CustomerIn(BaseModel):
    email: str = Field(max_length=255)
    full_name: str = Field(max_length=200)
    line1: str = Field(max_length=400)
    line2: str | None = Field(default=None, max_length=400)
    city: str = Field(max_length=200)
    region: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(max_length=40)
    country: str = Field(max_length=10, examples=["US"])
    phone: str | None = Field(default=None, max_length=60)
    shipping_method: str = Field(default="standard", max_length=80)


class LineIn(BaseModel):
    """A product variant, or a custom line (a name and a unit price, no variant)."""

    variant_id: uuid.UUID | None = None
    name: str | None = Field(default=None, max_length=200)
    unit_price: MoneyIn | None = None
    quantity: int = Field(default=1, ge=1, le=999)


class DraftLineQuantityIn(BaseModel):
    quantity: int = Field(ge=1, le=999)


class TermsIn(BaseModel):
    manual_discount: MoneyIn = "0"
    discount_reason: str = Field(default="", max_length=200)
    shipping_price: MoneyIn | None = Field(default=None, description="null: the method's rate")
    note: str = Field(default="", max_length=2000)


class CompleteIn(BaseModel):
    settlement: Literal["payment_link", "paid_by_hand"]
    method: Literal["bank_transfer", "cash"] | None = Field(
        default=None, description="How it was paid (paid_by_hand)"
    )
    reference: str = Field(default="", max_length=200, description="A transfer's reference")


class CompletedOut(BaseModel):
    order_number: str
    draft: DraftOut


async def _draft_out(draft_id: uuid.UUID, viewer: Viewer) -> DraftOut:
    return DraftOut.of(await draft_queries.get_draft(draft_id, by=viewer))


@router.get(
    "",
    response_model=list[DraftRowOut],
    summary="Draft orders of one status, the last changed first",
    responses=problem_responses(401, 403),
)
async def list_drafts(
    viewer: OrderEditors,
    status_: Annotated[Literal["open", "completed", "expired"], Query(alias="status")] = "open",
) -> list[DraftRowOut]:
    return [
        DraftRowOut(
            id=row.id,
            number=row.label,
            status=row.status,
            customer=row.customer,
            item_count=row.item_count,
            updated_at=row.updated_at.isoformat(),
            order_number=row.order_number,
        )
        for row in await draft_queries.list_drafts(by=viewer, status=status_)
    ]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftOut,
    summary="Start a draft order (an account's e-mail fills in its default address)",
    responses=problem_responses(400, 401, 403),
)
async def create_draft(body: NewDraftIn, viewer: OrderEditors, response: Response) -> DraftOut:
    made = await drafts.create_draft(by=viewer, email=body.email)
    response.headers["Location"] = f"/api/v1/admin/draft-orders/{made.id}"
    return await _draft_out(made.id, viewer)


@router.get(
    "/{draft_id}",
    response_model=DraftOut,
    summary="One draft order, priced now",
    responses=problem_responses(401, 403, 404),
)
async def get_draft(draft_id: uuid.UUID, viewer: OrderEditors) -> DraftOut:
    return await _draft_out(draft_id, viewer)


@router.put(
    "/{draft_id}/customer",
    response_model=DraftOut,
    summary="The customer's e-mail, name, address, phone and shipping method",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_customer(draft_id: uuid.UUID, body: CustomerIn, viewer: OrderEditors) -> DraftOut:
    await drafts.set_customer(draft_id, body.model_dump(), by=viewer)
    return await _draft_out(draft_id, viewer)


@router.post(
    "/{draft_id}/lines",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftOut,
    summary="Add a product variant (again: more of it) or a custom line",
    responses=problem_responses(400, 401, 403, 404),
)
async def add_line(draft_id: uuid.UUID, body: LineIn, viewer: OrderEditors) -> DraftOut:
    if body.variant_id is not None:
        await drafts.add_variant(draft_id, body.variant_id, body.quantity, by=viewer)
    else:
        await drafts.add_custom_line(
            draft_id,
            {
                "name": body.name or "",
                "unit_price": body.unit_price or "",
                "quantity": body.quantity,
            },
            by=viewer,
        )
    return await _draft_out(draft_id, viewer)


@router.patch(
    "/{draft_id}/lines/{line_id}",
    response_model=DraftOut,
    summary="A line's new quantity",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_quantity(
    draft_id: uuid.UUID, line_id: uuid.UUID, body: DraftLineQuantityIn, viewer: OrderEditors
) -> DraftOut:
    await drafts.set_quantity(draft_id, line_id, body.quantity, by=viewer)
    return await _draft_out(draft_id, viewer)


@router.delete(
    "/{draft_id}/lines/{line_id}",
    response_model=DraftOut,
    summary="Take a line off the draft",
    responses=problem_responses(400, 401, 403, 404),
)
async def remove_line(draft_id: uuid.UUID, line_id: uuid.UUID, viewer: OrderEditors) -> DraftOut:
    await drafts.remove_line(draft_id, line_id, by=viewer)
    return await _draft_out(draft_id, viewer)


@router.put(
    "/{draft_id}/terms",
    response_model=DraftOut,
    summary="The discount (with its reason), a shipping price of staff's own, a note",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_terms(draft_id: uuid.UUID, body: TermsIn, viewer: OrderEditors) -> DraftOut:
    await drafts.set_terms(draft_id, body.model_dump(), by=viewer)
    return await _draft_out(draft_id, viewer)


@router.post(
    "/{draft_id}/complete",
    status_code=status.HTTP_201_CREATED,
    response_model=CompletedOut,
    summary="Turn the draft into an order, once (stock reserved now)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def complete_draft(
    draft_id: uuid.UUID, body: CompleteIn, viewer: OrderEditors, response: Response
) -> CompletedOut:
    """`paid_by_hand` records the payment (a bank transfer needs its reference);
    `payment_link` e-mails the customer a link to pay by card. 409: not enough stock."""
    done = await drafts.complete_draft(
        draft_id,
        settlement=body.settlement,
        method=body.method or "",
        reference=body.reference,
        by=viewer,
    )
    response.headers["Location"] = f"/api/v1/orders/{done.order_number}"
    return CompletedOut(order_number=done.order_number, draft=await _draft_out(draft_id, viewer))


@router.delete(
    "/{draft_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Throw an open draft away",
    responses=problem_responses(400, 401, 403, 404),
)
async def delete_draft(draft_id: uuid.UUID, viewer: OrderEditors) -> Response:
    await drafts.delete_draft(draft_id, by=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
