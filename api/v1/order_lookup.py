"""A guest's order, found by its number and the e-mail address it was placed with (the
shop's "Find your order" page, the same service: `backend.orders.lookup`, which refuses
an address after too many lookups that found nothing). Counted against the strict
per-address request limit too, like sign-ins: the pair is the only credential, and
guessing it is what the limits stop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.accounts import MAX_EMAIL_LENGTH
from api.v1.edge import EdgeRoute
from api.v1.order_schemas import PlacedOrderOut
from api.v1.problems import problem_responses
from backend.core.client_address import address_of_scope
from backend.orders import lookup
from backend.orders.access_tokens import issue_order_token
from backend.payments.queries import get_order_with_payments

router = APIRouter(tags=["orders"], route_class=EdgeRoute)

MAX_NUMBER_LENGTH = 20


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
async def look_up_order(body: OrderLookupIn, request: Request) -> JSONResponse:
    """404 whether the number or the address is wrong: the answer never says which. The
    answer's `order_token` opens the order (`X-Order-Token`: read, pay, cancel while
    unpaid), as the shop's "Find your order" page does in the browser."""
    found = await lookup.look_up_order(
        body.email, body.number, asker=address_of_scope(request.scope)
    )
    order = PlacedOrderOut.of(await get_order_with_payments(body.number.strip().upper()))
    order.order_token = issue_order_token(found)
    return JSONResponse(order.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
