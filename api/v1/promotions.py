"""Automatic promotions (admins): list them with their status, create, replace, delete.
The promotion service checks the role itself; shoppers see promotions as prices (the
products, cart and order responses)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import PromotionsStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.core.money import decimal_string
from backend.merchandising import promotion_services as promotions
from backend.merchandising.models import Promotion
from backend.merchandising.promotion_inputs import PromotionInput

router = APIRouter(prefix="/admin/promotions", tags=["promotions"], route_class=EdgeRoute)


class PromotionOut(BaseModel):
    id: uuid.UUID
    title: str
    kind: Literal["percent", "fixed", "bundle"]
    value: str = Field(examples=["20.00"])
    target: Literal["all", "category", "collection", "products"]
    category_id: uuid.UUID | None
    collection_id: uuid.UUID | None
    product_ids: list[uuid.UUID] = Field(description="target products: the products covered")
    starts_at: datetime | None
    ends_at: datetime | None
    priority: int
    is_active: bool
    applies_to: Literal["items", "multibuy", "order", "shipping"]
    buy_quantity: int | None = Field(description="multibuy: the items in a group")
    discounted_quantity: int | None = Field(
        description="multibuy with percent: the cheapest items of a group it takes off"
    )
    stacks: bool = Field(description="adds up with the other item promotions that do")
    min_subtotal: str | None = Field(examples=["100.00"])
    zone_id: uuid.UUID | None
    combines_with_codes: bool
    limit_per_customer: int | None
    status: Literal["scheduled", "active", "ended", "off"]

    @classmethod
    def of(cls, row: promotions.PromotionRow) -> PromotionOut:
        promotion: Promotion = row.promotion
        return cls(
            id=promotion.id,
            title=promotion.title,
            kind=promotion.kind,
            value=decimal_string(promotion.value),
            target=promotion.target,
            product_ids=list(row.product_ids),
            category_id=promotion.category_id,
            collection_id=promotion.collection_id,
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
            priority=promotion.priority,
            is_active=promotion.is_active,
            applies_to=promotion.applies_to,
            buy_quantity=promotion.buy_quantity,
            discounted_quantity=promotion.discounted_quantity,
            stacks=promotion.stacks,
            min_subtotal=(
                decimal_string(promotion.min_subtotal)
                if promotion.min_subtotal is not None
                else None
            ),
            zone_id=promotion.zone_id,
            combines_with_codes=promotion.combines_with_codes,
            limit_per_customer=promotion.limit_per_customer,
            status=row.status,
        )


async def _one(promotion_id: uuid.UUID, viewer: PromotionsStaff) -> PromotionOut:
    return PromotionOut.of(await promotions.promotion_row(promotion_id, actor=viewer))


@router.get(
    "",
    response_model=list[PromotionOut],
    summary="Every promotion, the highest priority first (admins)",
    responses=problem_responses(401, 403),
)
async def list_promotions(viewer: PromotionsStaff) -> list[PromotionOut]:
    return [PromotionOut.of(row) for row in await promotions.list_promotions(viewer)]


@router.get(
    "/{promotion_id}",
    response_model=PromotionOut,
    summary="One promotion (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_promotion(promotion_id: uuid.UUID, viewer: PromotionsStaff) -> PromotionOut:
    return await _one(promotion_id, viewer)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PromotionOut,
    summary="Create a promotion (admins)",
    responses=problem_responses(400, 401, 403),
)
async def create_promotion(data: PromotionInput, viewer: PromotionsStaff) -> JSONResponse:
    promotion_id = await promotions.save_promotion(None, data, actor=viewer)
    saved = await _one(promotion_id, viewer)
    return JSONResponse(
        saved.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/admin/promotions/{promotion_id}"},
    )


@router.put(
    "/{promotion_id}",
    response_model=PromotionOut,
    summary="Replace a promotion (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def replace_promotion(
    promotion_id: uuid.UUID, data: PromotionInput, viewer: PromotionsStaff
) -> PromotionOut:
    await promotions.save_promotion(promotion_id, data, actor=viewer)
    return await _one(promotion_id, viewer)


@router.delete(
    "/{promotion_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a promotion; orders placed under it keep what they got (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_promotion(promotion_id: uuid.UUID, viewer: PromotionsStaff) -> Response:
    await promotions.delete_promotion(promotion_id, actor=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
