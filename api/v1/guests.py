"""Shopping without an account: the two credentials a guest's client app holds, and the
callers they make.

- **A guest cart's token** (`X-Cart-Token`, from `POST /guest-carts`): the cart it names,
  the same guest cart the shop's pages keep behind their cookie
  (`backend.cart.owners.guest_owner`). With it a guest fills a cart, previews and places
  an order; it says nothing about any order.
- **An order's token** (`X-Order-Token`, `backend.orders.access_tokens`): given when a
  guest places an order or looks one up by number and e-mail address; with it the guest
  reads, pays and cancels that order, as the storefront's tab that placed or looked it up.

A Bearer token, when sent, always decides whose cart it is; a bad credential of either
kind is a 401, never a silent fall back to another cart.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.datastructures import Headers
from starlette.types import Scope

from api.v1.auth import AccessToken, bearer_token, required_viewer
from backend.accounts.errors import InvalidTokenError
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart.schemas import CartOwner
from backend.orders import access_tokens
from backend.orders.ownership import Shopper

CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105  (a header name)
ORDER_TOKEN_HEADER = "X-Order-Token"  # noqa: S105  (a header name)

_cart_token = APIKeyHeader(
    name=CART_TOKEN_HEADER,
    scheme_name="cartToken",
    auto_error=False,
    description="A guest cart's token, from POST /api/v1/guest-carts (no account needed).",
)
_order_token = APIKeyHeader(
    name=ORDER_TOKEN_HEADER,
    scheme_name="orderToken",
    auto_error=False,
    description=(
        "One order's token (30 days), given when a guest places it (POST /api/v1/orders) "
        "or looks it up by number and e-mail address (POST /api/v1/orders/lookup)."
    ),
)

CartToken = Annotated[str | None, Depends(_cart_token)]
OrderToken = Annotated[str | None, Depends(_order_token)]

NO_CART_CREDENTIAL = (
    "Send an access token (Authorization: Bearer <token>), or a guest cart's token "
    f"({CART_TOKEN_HEADER}, from POST /api/v1/guest-carts)."
)
BAD_CART_TOKEN = (
    f"The {CART_TOKEN_HEADER} is not a cart token this shop gives: get one from "
    "POST /api/v1/guest-carts."
)
NO_ORDER_CREDENTIAL = (
    "Send an access token (Authorization: Bearer <token>), or the order's token "
    f"({ORDER_TOKEN_HEADER})."
)
BAD_ORDER_TOKEN = (
    f"The {ORDER_TOKEN_HEADER} is invalid or has expired: look the order up again "
    "(POST /api/v1/orders/lookup) for a new one."
)


@dataclass(frozen=True)
class CartCaller:
    """Whose cart a request works on: a signed-in caller's, or a guest cart's."""

    owner: CartOwner
    viewer: Viewer | None  # None: a guest

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.viewer.user_id if self.viewer is not None else None


@dataclass(frozen=True)
class OrderCaller:
    """Who asks about an order: a signed-in caller, and the order a guest's token opens."""

    viewer: Viewer | None
    opened_order: uuid.UUID | None

    @property
    def shopper(self) -> Shopper:
        return Shopper(
            user_id=self.viewer.user_id if self.viewer is not None else None,
            opened_orders=frozenset({self.opened_order} if self.opened_order else ()),
        )


def guest_cart_owner(cart_token: str | None) -> CartOwner:
    """The guest cart a token names; InvalidTokenError (401) for a malformed one."""
    owner = cart_owners.guest_owner(cart_token)
    if owner is None:
        raise InvalidTokenError(BAD_CART_TOKEN)
    return owner


async def cart_caller(
    request: Request, access_token: AccessToken, cart_token: CartToken
) -> CartCaller:
    if access_token is not None:
        viewer = await required_viewer(request, access_token)
        return CartCaller(cart_owners.user_owner(viewer.user_id), viewer)
    if cart_token is None:
        raise InvalidTokenError(NO_CART_CREDENTIAL)
    return CartCaller(guest_cart_owner(cart_token), None)


async def order_caller(
    request: Request, access_token: AccessToken, order_token: OrderToken
) -> OrderCaller:
    if access_token is None and order_token is None:
        raise InvalidTokenError(NO_ORDER_CREDENTIAL)
    viewer = await required_viewer(request, access_token) if access_token is not None else None
    opened = None
    if order_token is not None:
        opened = access_tokens.opened_order(order_token)
        if opened is None:
            raise InvalidTokenError(BAD_ORDER_TOKEN)
    return OrderCaller(viewer, opened)


CurrentCartCaller = Annotated[CartCaller, Depends(cart_caller)]
CurrentOrderCaller = Annotated[OrderCaller, Depends(order_caller)]

# The access dependencies a guest may pass, in `api.v1.edge`'s order (after the account's).
GUEST_ACCESS_DEPENDENCIES: tuple[Callable[..., Any], ...] = (cart_caller, order_caller)
GUEST_CREDENTIAL_HEADERS: dict[Callable[..., Any], str] = {
    cart_caller: CART_TOKEN_HEADER,
    order_caller: ORDER_TOKEN_HEADER,
}


async def settle_guest_access(request: Request, dependency: Callable[..., Any]) -> None:
    """Run one of `GUEST_ACCESS_DEPENDENCIES` from the request alone (before its input is
    read). Raises InvalidTokenError (401)."""
    access_token = await bearer_token(request)
    if dependency is cart_caller:
        await cart_caller(request, access_token, await _cart_token(request))
    else:
        await order_caller(request, access_token, await _order_token(request))


def guest_credentials_fingerprint(scope: Scope) -> str:
    """The guest credentials a request carries, hashed: the idempotency layer keeps one
    guest's replies apart from another's behind the same network address."""
    headers = Headers(scope=scope)
    sent = "\n".join(headers.get(name, "") for name in (CART_TOKEN_HEADER, ORDER_TOKEN_HEADER))
    return hashlib.sha256(sent.encode()).hexdigest() if sent.strip() else ""
