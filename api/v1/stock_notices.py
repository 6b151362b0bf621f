"""Back-in-stock notices, as the "E-mail me when available" box of a sold-out product:
signed in, one call and the account's address is on the list; a guest gives an address
and confirms it through the e-mailed link (whose confirm and cancel tokens can be posted
here too). Your own notices are at /me/stock-notices/{variant_id}.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import OptionalViewer
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.core.client_address import address_of_scope
from backend.core.errors import InvalidInputError
from backend.stock_notices import services as stock_notices
from backend.stock_notices.schemas import LinkOutcome

router = APIRouter(prefix="/stock-notices", tags=["stock notices"], route_class=EdgeRoute)


class StockNoticeIn(BaseModel):
    variant_id: uuid.UUID = Field(
        description="The sold-out variant (a product without options has one, under the "
        "product's id)."
    )
    email: Annotated[str, Field(max_length=stock_notices.MAX_EMAIL_LENGTH)] | None = Field(
        default=None,
        description="Guests only: where to send the notice (a link to confirm it first). "
        "Signed in, the account's address is used and this is ignored.",
        examples=["ada@example.com"],
    )


class StockNoticeOut(BaseModel):
    outcome: Literal["active", "already", "confirm"] = Field(
        description="active: you will be e-mailed; already: you were on the list; confirm: "
        "open the e-mailed link first (guests)."
    )
    message: str = Field(
        examples=["Done: we will e-mail ada@example.com once when Linen shirt (M) is back."]
    )


@router.post(
    "",
    response_model=StockNoticeOut,
    summary="Ask to be e-mailed once when a sold-out variant is back",
    responses={
        202: {
            "model": StockNoticeOut,
            "description": "A guest's request: a confirmation link is e-mailed (the same "
            "answer whether or not the address was on the list already).",
        },
        **problem_responses(400, 401, 404, 409, 429),
    },
)
async def ask_for_stock_notice(
    body: StockNoticeIn, viewer: OptionalViewer, request: Request
) -> JSONResponse:
    """Signed in: 200, active at once for the account's address. Without a token: 202,
    and `email` is needed (400 `errors.email` without it). 404: the product is not sold;
    409 `product_available`: it is in stock, order it instead; 429: too many guest
    requests from one network."""
    if viewer is not None:
        result = await stock_notices.subscribe_viewer(body.variant_id, viewer)
        code = status.HTTP_200_OK
    else:
        result = await stock_notices.subscribe_guest(
            body.variant_id, body.email or "", ip=address_of_scope(request.scope)
        )
        code = status.HTTP_202_ACCEPTED
    out = StockNoticeOut(outcome=result.outcome, message=result.message)
    return JSONResponse(out.model_dump(), status_code=code)


class NoticeTokenIn(BaseModel):
    token: str = Field(
        min_length=1,
        max_length=stock_notices.MAX_TOKEN_LENGTH,
        description="The `token` query parameter of the e-mailed link.",
    )


class NoticeLinkOut(BaseModel):
    product_name: str = Field(description="What the notice is about.", examples=["Linen shirt"])
    product_url: str = Field(
        description="The product's page in the shop.", examples=["/products/linen-shirt"]
    )


def _used(outcome: LinkOutcome) -> NoticeLinkOut:
    if not outcome.ok:
        message = "This link does not work: it may have been used already or have expired."
        raise InvalidInputError(message, {"token": message})
    return NoticeLinkOut(product_name=outcome.product_name, product_url=outcome.product_url)


@router.post(
    "/confirm",
    response_model=NoticeLinkOut,
    summary="Confirm a guest's notice with the e-mailed link's token",
    responses=problem_responses(400),
)
async def confirm_stock_notice(body: NoticeTokenIn) -> NoticeLinkOut:
    return _used(await stock_notices.confirm_subscription(body.token))


@router.post(
    "/cancel",
    response_model=NoticeLinkOut,
    summary="Cancel a notice with the e-mailed cancel link's token",
    responses=problem_responses(400),
)
async def cancel_stock_notice_by_link(body: NoticeTokenIn) -> NoticeLinkOut:
    """400 when there is nothing to cancel (already closed or cancelled)."""
    return _used(await stock_notices.cancel_by_token(body.token))
