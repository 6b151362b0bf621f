"""The caller's cart: the same Redis cart the shop's pages show once they sign in
(`backend.cart.owners.user_owner`), priced from the catalog on every read.

The cart services cap a quantity at what can be bought and say so in a message (right for
a page). The API asks them for all or nothing instead: a change that cannot be made as
asked is answered with a problem (404 not sold, 409 sold out or not enough stock, 400 over
the per-order limit or a full cart) and leaves the line as it was. Adding counts in the
shop's funnel like an add from the shop's pages (the same service).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import CurrentViewer
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import Cart, CartLine, CartOwner
from backend.core.money import decimal_string

router = APIRouter(prefix="/cart", tags=["cart"], route_class=EdgeRoute)

# Strict: `true`, `1.5` or `"2"` are not quantities.
Quantity = Annotated[int, Field(strict=True, ge=0, description="How many; 0 removes the line.")]
PositiveQuantity = Annotated[int, Field(strict=True, ge=1, description="How many more to add.")]


class CartLineOut(BaseModel):
    product_id: uuid.UUID
    slug: str
    name: str
    sku: str
    image_url: str | None
    quantity: int
    unit_price: Money
    line_total: Money
    currency: str
    stock_quantity: int
    purchasable: bool = Field(description="False when the line cannot be bought as it is.")
    problem: str | None = Field(description='Why not: "Sold out", "Only 2 left", …')

    @classmethod
    def of(cls, line: CartLine) -> CartLineOut:
        return cls(
            product_id=line.product_id,
            slug=line.slug,
            name=line.name,
            sku=line.sku,
            image_url=line.image_url,
            quantity=line.quantity,
            unit_price=decimal_string(line.unit_price),
            line_total=decimal_string(line.line_total),
            currency=line.currency,
            stock_quantity=line.stock_quantity,
            purchasable=line.purchasable,
            problem=line.problem,
        )


class CartOut(BaseModel):
    lines: list[CartLineOut]
    item_count: int
    subtotal: Money = Field(description="The purchasable lines, at today's prices.")
    currency: str
    ready_for_checkout: bool

    @classmethod
    def of(cls, cart: Cart) -> CartOut:
        return cls(
            lines=[CartLineOut.of(line) for line in cart.lines],
            item_count=cart.item_count,
            subtotal=decimal_string(cart.subtotal),
            currency=cart.currency,
            ready_for_checkout=cart.ready_for_checkout,
        )


class QuantityIn(BaseModel):
    quantity: Quantity


class CartItemIn(BaseModel):
    product_id: uuid.UUID
    quantity: PositiveQuantity = 1


def _owner(viewer: CurrentViewer) -> CartOwner:
    return cart_owners.user_owner(viewer.user_id)


@router.get("", response_model=CartOut, summary="Your cart", responses=problem_responses(401))
async def get_cart(viewer: CurrentViewer) -> CartOut:
    return CartOut.of(await cart_queries.get_cart(_owner(viewer)))


@router.put(
    "/items/{product_id}",
    response_model=CartOut,
    summary="Set a line's quantity (0 removes it)",
    responses=problem_responses(400, 401, 404, 409),
)
async def set_item_quantity(
    product_id: uuid.UUID, body: QuantityIn, viewer: CurrentViewer
) -> CartOut:
    change = await carts.set_quantity(
        _owner(viewer), product_id, body.quantity, all_or_nothing=True
    )
    return CartOut.of(change.cart)


@router.post(
    "/items",
    response_model=CartOut,
    summary="Add a product (to the quantity already in the cart)",
    responses=problem_responses(400, 401, 404, 409),
)
async def add_item(body: CartItemIn, viewer: CurrentViewer) -> CartOut:
    change = await carts.add_item(
        _owner(viewer), body.product_id, body.quantity, all_or_nothing=True
    )
    return CartOut.of(change.cart)


@router.delete(
    "/items/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a line (also when it is not there)",
    responses=problem_responses(400, 401),
)
async def remove_item(product_id: uuid.UUID, viewer: CurrentViewer) -> Response:
    await carts.remove_item(_owner(viewer), product_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Empty the cart",
    responses=problem_responses(401),
)
async def clear_cart(viewer: CurrentViewer) -> Response:
    await carts.clear_cart(_owner(viewer))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
