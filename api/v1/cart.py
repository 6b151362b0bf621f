"""The caller's cart: the same Redis cart the shop's pages show once they sign in
(`backend.cart.owners.user_owner`), or, without an account, a guest cart named by its
token (`X-Cart-Token`, from `POST /guest-carts`; `api.v1.guests`) like the one the shop's
pages keep behind their cookie. Priced from the catalog on every read. At sign-in a
client moves the guest cart into the account's (`POST /cart/merge`), as the shop's
sign-in does.

The cart services cap a quantity at what can be bought and say so in a message (right for
a page). The API asks them for all or nothing instead: a change that cannot be made as
asked is answered with a problem (404 not sold, 409 sold out or not enough stock, 400 over
the per-order limit or a full cart) and leaves the line as it was. Adding counts in the
shop's funnel like an add from the shop's pages (the same service).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from api.v1.auth import CurrentViewer
from api.v1.edge import EdgeRoute
from api.v1.guests import CART_TOKEN_HEADER, CartToken, CurrentCartCaller, guest_cart_owner
from api.v1.problems import problem_responses
from api.v1.products import Money
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.merge import merge_guest_cart
from backend.cart.schemas import Cart, CartLine, GiftCardLine
from backend.cart_recovery import contacts as cart_contacts
from backend.core.errors import DomainError, InvalidInputError
from backend.core.money import decimal_string
from backend.giftcards.inputs import PurchaseInput

router = APIRouter(prefix="/cart", tags=["cart"], route_class=EdgeRoute)
guest_carts_router = APIRouter(tags=["cart"], route_class=EdgeRoute)

# Strict: `true`, `1.5` or `"2"` are not quantities.
Quantity = Annotated[int, Field(strict=True, ge=0, description="How many; 0 removes the line.")]
PositiveQuantity = Annotated[int, Field(strict=True, ge=1, description="How many more to add.")]


class CartLineOut(BaseModel):
    variant_id: uuid.UUID = Field(description="what the line holds; its address below /items")
    product_id: uuid.UUID
    slug: str
    name: str
    sku: str = Field(description="the variant's")
    options: dict[str, str] = Field(examples=[{"Size": "M", "Colour": "Navy"}])
    image_url: str | None
    quantity: int
    unit_price: Money
    promotion: str | None = Field(
        default=None,
        examples=["20 % off Outerwear"],
        description="the automatic promotion the line is priced under",
    )
    list_price: Money | None = Field(
        default=None, description="the unit price before that promotion"
    )
    multibuy: str | None = Field(
        default=None,
        examples=["Buy 2, get 1 free"],
        description="the multi-buy the line counts towards",
    )
    multibuy_discount: Money = Field(
        default="0.00", description="what that multi-buy takes off the line (all its units)"
    )
    line_total: Money = Field(description="unit price × quantity, before a multi-buy")
    currency: str
    stock_quantity: int
    purchasable: bool = Field(description="False when the line cannot be bought as it is.")
    problem: str | None = Field(description='Why not: "Sold out", "Only 2 left", …')

    @classmethod
    def of(cls, line: CartLine) -> CartLineOut:
        return cls(
            variant_id=line.variant_id,
            product_id=line.product_id,
            slug=line.slug,
            name=line.name,
            sku=line.sku,
            options=dict(line.options),
            image_url=line.image_url,
            quantity=line.quantity,
            unit_price=decimal_string(line.unit_price),
            promotion=line.promotion_title,
            list_price=decimal_string(line.list_price) if line.list_price is not None else None,
            multibuy=line.multibuy_title,
            multibuy_discount=decimal_string(line.multibuy_off),
            line_total=decimal_string(line.line_total),
            currency=line.currency,
            stock_quantity=line.stock_quantity,
            purchasable=line.purchasable,
            problem=line.problem,
        )


class GiftCardLineOut(BaseModel):
    line_id: str = Field(description="its address below /gift-cards")
    amount: Money
    currency: str
    recipient_email: str | None = Field(description="None: e-mailed to the buyer")
    recipient_name: str
    sender_name: str
    message: str
    send_at: datetime | None = Field(description="None: once the order is paid")

    @classmethod
    def of(cls, card: GiftCardLine) -> GiftCardLineOut:
        return cls(
            line_id=card.line_id,
            amount=decimal_string(card.amount),
            currency=card.currency,
            recipient_email=card.recipient_email,
            recipient_name=card.recipient_name,
            sender_name=card.sender_name,
            message=card.message,
            send_at=card.send_at,
        )


class CartOut(BaseModel):
    lines: list[CartLineOut]
    gift_cards: list[GiftCardLineOut] = Field(description="Gift cards to buy, one line each.")
    item_count: int
    subtotal: Money = Field(
        description="The purchasable lines (after multi-buys) and the gift cards, at today's "
        "prices."
    )
    multibuy_discount: Money = Field(
        default="0.00", description="What multi-buys take off the purchasable lines."
    )
    currency: str
    ready_for_checkout: bool

    @classmethod
    def of(cls, cart: Cart) -> CartOut:
        return cls(
            lines=[CartLineOut.of(line) for line in cart.lines],
            gift_cards=[GiftCardLineOut.of(card) for card in cart.gift_cards],
            item_count=cart.item_count,
            subtotal=decimal_string(cart.subtotal),
            multibuy_discount=decimal_string(cart.multibuy_discount),
            currency=cart.currency,
            ready_for_checkout=cart.ready_for_checkout,
        )


class CartQuantityIn(BaseModel):
    quantity: Quantity


class CartItemIn(BaseModel):
    """Name the variant; a product without options may be named by its product id."""

    variant_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = Field(
        default=None, description="for a product with one variant only (else a 422)"
    )
    quantity: PositiveQuantity = 1

    @model_validator(mode="after")
    def _one_of_variant_and_product(self) -> CartItemIn:
        if (self.variant_id is None) == (self.product_id is None):
            msg = "Give variant_id, or product_id for a product without options."
            raise ValueError(msg)
        return self


@router.get("", response_model=CartOut, summary="Your cart", responses=problem_responses(401))
async def get_cart(caller: CurrentCartCaller) -> CartOut:
    return CartOut.of(await cart_queries.get_cart(caller.owner))


@router.put(
    "/items/{variant_id}",
    response_model=CartOut,
    summary="Set a line's quantity (0 removes it)",
    responses=problem_responses(400, 401, 404, 409),
)
async def set_item_quantity(
    variant_id: uuid.UUID, body: CartQuantityIn, caller: CurrentCartCaller
) -> CartOut:
    """A line is one variant (a product without options has one, under its product id)."""
    change = await carts.set_quantity(caller.owner, variant_id, body.quantity, all_or_nothing=True)
    return CartOut.of(change.cart)


@router.post(
    "/items",
    response_model=CartOut,
    summary="Add a variant (to the quantity already in the cart)",
    responses=problem_responses(400, 401, 404, 409, 422),
)
async def add_item(body: CartItemIn, caller: CurrentCartCaller) -> CartOut:
    if body.variant_id is not None:
        change = await carts.add_item(
            caller.owner, body.variant_id, body.quantity, all_or_nothing=True
        )
    else:
        assert body.product_id is not None  # the model checked: one of the two
        change = await carts.add_product(
            caller.owner, body.product_id, body.quantity, all_or_nothing=True
        )
    return CartOut.of(change.cart)


@router.delete(
    "/items/{variant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a line (also when it is not there)",
    responses=problem_responses(400, 401),
)
async def remove_item(variant_id: uuid.UUID, caller: CurrentCartCaller) -> Response:
    await carts.remove_item(caller.owner, variant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/gift-cards",
    response_model=CartOut,
    summary="Add a gift card to buy (its amount, recipient, message and day)",
    responses=problem_responses(400, 401, 422),
)
async def add_gift_card(body: PurchaseInput, caller: CurrentCartCaller) -> CartOut:
    """`amount` from 5 to 1000; `send_at` (with its time zone) from now to a year ahead;
    no `recipient_email`: the card is e-mailed to the buyer."""
    return CartOut.of((await carts.add_gift_card(caller.owner, body)).cart)


@router.delete(
    "/gift-cards/{line_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a gift card line (also when it is not there)",
    responses=problem_responses(401),
)
async def remove_gift_card(
    line_id: Annotated[str, Path(max_length=64)], caller: CurrentCartCaller
) -> Response:
    await carts.remove_gift_card(caller.owner, line_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Empty the cart",
    responses=problem_responses(401),
)
async def clear_cart(caller: CurrentCartCaller) -> Response:
    await carts.clear_cart(caller.owner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- a guest's cart -----------------------------------------------------------------------


class GuestCartOut(BaseModel):
    cart_token: str = Field(
        description=f"Send it as {CART_TOKEN_HEADER} on /cart, POST /orders/previews and "
        "POST /orders. Keep it like a password: it is the cart. A cart nobody touches "
        "expires (CART_TTL_DAYS).",
        examples=["q3T0n8yO0Xw3mYc2k8Zr1bq4cKf6W1Hq5eV7sJd9aPg"],
    )


@guest_carts_router.post(
    "/guest-carts",
    status_code=status.HTTP_201_CREATED,
    response_model=GuestCartOut,
    summary="Start a guest cart: shopping without an account",
    responses=problem_responses(429),
)
async def start_guest_cart() -> JSONResponse:
    """The cart is empty until the first item goes in; the token is all there is to it
    (no account, nothing stored yet). At sign-in, move it into the account's cart with
    `POST /cart/merge`."""
    body = GuestCartOut(cart_token=cart_owners.new_guest_token())
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/merge",
    response_model=CartOut,
    summary="At sign-in: move a guest cart into your cart",
    responses=problem_responses(400, 401),
)
async def merge_cart(viewer: CurrentViewer, cart_token: CartToken) -> CartOut:
    """Send the guest cart's `X-Cart-Token` with your Bearer token. Quantities of the same
    variant add up (capped at the stock and the per-line limit); lines join while the
    cart has room; gift cards move too. The guest cart is gone afterwards, so a retry
    changes nothing. The shop's own sign-in does the same."""
    if cart_token is None:
        problem = f"Send the guest cart's token as {CART_TOKEN_HEADER}."
        raise InvalidInputError(problem, {CART_TOKEN_HEADER: problem})
    merged = await merge_guest_cart(
        guest_cart_owner(cart_token), cart_owners.user_owner(viewer.user_id)
    )
    return CartOut.of(merged)


class ReminderContactIn(BaseModel):
    email: Annotated[str, Field(max_length=cart_contacts.MAX_EMAIL_LENGTH)] = Field(
        default="",
        description="Where to remind (needed when `remind` is true).",
        examples=["ada@example.com"],
    )
    remind: bool = Field(
        description='The storefront\'s "E-mail me about this cart": false forgets any '
        "address kept before."
    )


@router.put(
    "/reminder-contact",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A guest's address for a reminder about this cart, if it is left",
    responses=problem_responses(400, 401, 409),
)
async def set_reminder_contact(body: ReminderContactIn, caller: CurrentCartCaller) -> Response:
    """Only for a guest cart (409 with a Bearer token: an account's carts are reminded at
    its address, `PUT /me/cart-reminders` says whether). Nothing is kept without
    `remind`; a reminder then goes only if the cart is left without an order."""
    if caller.viewer is not None:
        raise DomainError(
            "A signed-in cart is reminded at the account's address; "
            "PUT /me/cart-reminders says whether."
        )
    kept = await cart_contacts.remember_checkout_email(
        caller.owner, body.email, opted_in=body.remind
    )
    if body.remind and not kept:
        problem = "Enter a valid e-mail address, like name@example.com."
        raise InvalidInputError(problem, {"email": problem})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
