"""Discount codes (admins with promotions): the codes with their use, a new code, and
switching one off or on again (it stays on record with its uses). The same services as
the admin's discounts page (`backend.pricing.discounts`). Codes are unique whatever their
case and are named by their code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from api.v1.auth import PromotionsStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.core.money import decimal_string
from backend.pricing import discounts

router = APIRouter(prefix="/admin/discount-codes", tags=["discount codes"], route_class=EdgeRoute)

Code = Annotated[
    str, Path(min_length=1, max_length=discounts.MAX_CODE_LENGTH, examples=["SPRING10"])
]


class DiscountCodeOut(BaseModel):
    code: str = Field(examples=["SPRING10"], description="Upper case, as shoppers may type it.")
    kind: Literal["percent", "fixed"]
    value: str = Field(examples=["10"], description="A percentage (10 = 10 %) or an amount.")
    min_subtotal: Money = Field(description="The least a cart's subtotal must be.")
    starts_at: datetime | None
    expires_at: datetime | None
    usage_limit: int | None = Field(description="How often it may be used; null: no limit.")
    times_used: int = Field(ge=0)
    is_active: bool = Field(description="false: switched off; shoppers cannot use it.")

    @classmethod
    def of(cls, code: discounts.DiscountSummary) -> DiscountCodeOut:
        return cls(
            code=code.code,
            kind="fixed" if code.kind == "fixed" else "percent",
            value=f"{code.value.normalize():f}"
            if code.kind == "percent"
            else decimal_string(code.value),
            min_subtotal=decimal_string(code.min_subtotal),
            starts_at=code.starts_at,
            expires_at=code.expires_at,
            usage_limit=code.usage_limit,
            times_used=code.times_used,
            is_active=code.is_active,
        )


class DiscountCodeIn(BaseModel):
    code: str = Field(
        min_length=1,
        max_length=discounts.MAX_CODE_LENGTH,
        description="Letters, digits, - and _; stored in upper case; unique whatever the case.",
        examples=["SPRING10"],
    )
    kind: Literal["percent", "fixed"] = Field(
        description="percent: `value` % off the subtotal; fixed: `value` off it."
    )
    value: str = Field(
        pattern=r"^\d{1,8}(\.\d{1,2})?$",
        description="A percentage 1–100, or an amount above zero.",
        examples=["10"],
    )
    min_subtotal: str = Field(
        default="0",
        pattern=r"^\d{1,10}(\.\d{1,2})?$",
        description="The least a cart's subtotal must be for the code to apply.",
        examples=["50.00"],
    )
    starts_at: AwareDatetime | None = Field(default=None, description="Usable from (with a zone).")
    expires_at: AwareDatetime | None = Field(
        default=None, description="Usable until; after `starts_at`."
    )
    usage_limit: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="How often it may be used; null: no limit.",
    )


class DiscountActiveIn(BaseModel):
    active: bool = Field(
        description="false: shoppers can no longer use it; true: usable again.", examples=[False]
    )


class DiscountListParams(BaseModel):
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=25, ge=1, le=100)


@router.get(
    "",
    response_model=Paged[DiscountCodeOut],
    summary="The discount codes, newest first (admins)",
    responses=problem_responses(400, 401, 403),
)
async def list_discount_codes(
    viewer: PromotionsStaff, query: Annotated[DiscountListParams, Query()]
) -> Paged[DiscountCodeOut]:
    found = await discounts.page_discount_codes(viewer, page=query.page, limit=query.limit)
    return Paged[DiscountCodeOut](
        items=[DiscountCodeOut.of(code) for code in found.items],
        pagination=PageMeta.of(page=found.page, limit=found.limit, total=found.total),
    )


@router.get(
    "/{code}",
    response_model=DiscountCodeOut,
    summary="One discount code (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_discount_code(code: Code, viewer: PromotionsStaff) -> DiscountCodeOut:
    return DiscountCodeOut.of(await discounts.get_discount_code(code, actor=viewer))


@router.post(
    "",
    status_code=201,
    response_model=DiscountCodeOut,
    summary="Create a discount code (admins)",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 403),
    },
)
async def create_discount_code(body: DiscountCodeIn, viewer: PromotionsStaff) -> JSONResponse:
    """400 with a message per field: a code that exists (in any case), a percentage above
    100, an expiry before the start."""
    created = await discounts.create_discount_code(
        body.code,
        kind=body.kind,
        value=Decimal(body.value),
        min_subtotal=Decimal(body.min_subtotal),
        starts_at=body.starts_at,
        expires_at=body.expires_at,
        usage_limit=body.usage_limit,
        actor=viewer,
    )
    saved = DiscountCodeOut.of(await discounts.get_discount_code(created.code, actor=viewer))
    return JSONResponse(
        saved.model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/api/v1/admin/discount-codes/{created.code}"},
    )


@router.put(
    "/{code}/active",
    response_model=DiscountCodeOut,
    summary="Switch a discount code off, or on again (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_discount_active(
    code: Code, body: DiscountActiveIn, viewer: PromotionsStaff
) -> DiscountCodeOut:
    """It stays on record with its uses. An order placed with it keeps its discount."""
    await discounts.set_discount_active(code, active=body.active, actor=viewer)
    return DiscountCodeOut.of(await discounts.get_discount_code(code, actor=viewer))
