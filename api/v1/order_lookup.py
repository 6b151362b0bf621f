"""A guest's order, found by its number and the e-mail address it was placed with (the
shop's "Find your order" page). Counted against the strict per-address limit, like
sign-ins: the pair is the only credential, and guessing it is what the limit stops.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.accounts import MAX_EMAIL_LENGTH
from api.v1.edge import EdgeRoute
from api.v1.order_schemas import PlacedOrderOut
from api.v1.problems import problem_responses
from backend.core.errors import NotFoundError
from backend.orders import queries as order_queries
from backend.orders.access_tokens import issue_order_token
from backend.payments.queries import get_order_with_payments

router = APIRouter(tags=["orders"], route_class=EdgeRoute)

MAX_NUMBER_LENGTH = 20
NOT_FOUND = "We found no order with that number and e-mail address."


class OrderLookupIn(BaseModel):
    number: Annotated[str, Field(min_length=1, max_length=MAX_NUMBER_LENGTH)] = Field(
        description="As in the order e-mail (any case).", examples=["KG-ABCD-EFGH"]
    )
    email: Annotated[str, Field(min_length=1, max_length=MAX_EMAIL_LENGTH)] = Field(
        description="The address the order was placed with.", examples=["ada@example.com"]
    )


@router.post(
    "/orders/lookup",
    response_model=PlacedOrderOut,
    summary="Find an order by its number and e-mail address (no account needed)",
    responses=problem_responses(400, 404, 429),
)
async def look_up_order(body: OrderLookupIn) -> JSONResponse:
    """404 whether the number or the address is wrong: the answer never says which. The
    answer's `order_token` opens the order (`X-Order-Token`: read, pay, cancel while
    unpaid), as the shop's "Find your order" page does in the browser."""
    found = await order_queries.find_guest_order(body.email, body.number)
    if found is None:
        raise NotFoundError(NOT_FOUND)
    order = PlacedOrderOut.of(await get_order_with_payments(body.number.strip().upper()))
    order.order_token = issue_order_token(found)
    return JSONResponse(order.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
