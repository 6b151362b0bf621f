"""The caller's wishlist: save and remove products, move one into the cart, share the
list by a link (and stop sharing), and read a list someone shared.

The same services as the wishlist page (`storefront/pages/wishlist.py`) and the hearts
on product cards (`storefront/state.py`): every change acts on the caller's own list.
A shared list shows its products, never anything about its owner.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import CurrentViewer
from api.v1.cart import CartOut
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from api.v1.products import ProductListItem
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.core.errors import DomainError
from backend.settings import get_settings
from backend.wishlists import queries as wishlist_queries
from backend.wishlists import services as wishlists
from backend.wishlists.schemas import WishlistView

router = APIRouter(tags=["wishlist"], route_class=EdgeRoute)

ProductId = Annotated[uuid.UUID, Path(description="The product (its id).")]

ShareToken = Annotated[
    str,
    Path(
        min_length=1,
        max_length=wishlist_queries.MAX_SHARE_TOKEN_LENGTH,
        description="The token of a share link (POST /me/wishlist/share-link).",
        examples=["m3Vx0cQ9bT2nJ7aKp4sW1yZ8eR6uHf5L"],
    ),
]


class SavedProductOut(BaseModel):
    product: ProductListItem = Field(description="Priced and stocked as it is today.")
    saved_at: datetime = Field(description="When it was saved.")
    available: bool = Field(description="Sold and in stock now.")
    availability: str = Field(examples=["In stock", "Only 2 left", "No longer sold"])


class SharedWishlistOut(BaseModel):
    """The saved products, without anything about the list's owner."""

    items: list[SavedProductOut] = Field(description="Newest saved first.")


class WishlistOut(SharedWishlistOut):
    max_items: int = Field(ge=1, description="How many products a wishlist holds at most.")
    share_token: str | None = Field(
        description="The token of the list's share link; null while it is not shared."
    )
    share_url: str | None = Field(
        description="The shop's page of the shared list (anyone with the link may read it)."
    )


class WishlistItemIn(BaseModel):
    variant_id: uuid.UUID | None = Field(
        default=None,
        description="The size or colour chosen (a variant of the product), moved to the "
        "cart with it. Saving again keeps one entry, with the latest choice.",
    )


class MovedToCartOut(BaseModel):
    message: str = Field(examples=["Added Storm Coat to your cart."])
    cart: CartOut = Field(description="Your cart after, at today's prices.")


class ShareLinkOut(BaseModel):
    token: str = Field(description="Read the list at GET /wishlists/shared/{token}.")
    url: str = Field(description="The shop's page of the shared list.")


class MoveToCartRefusedError(DomainError):
    """The cart refused the saved product (a 409: the wishlist keeps it)."""

    code = "move_to_cart_refused"


def _share_url(token: str) -> str:
    return f"{get_settings().public_base_url}/wishlists/{token}"


def _items(view: WishlistView) -> list[SavedProductOut]:
    return [
        SavedProductOut(
            product=ProductListItem.of(item.product),
            saved_at=item.saved_at,
            available=item.available,
            availability=item.availability,
        )
        for item in view.items
    ]


def _wishlist_out(view: WishlistView) -> WishlistOut:
    token = view.share_token
    return WishlistOut(
        items=_items(view),
        max_items=get_settings().wishlist_max_items,
        share_token=token,
        share_url=_share_url(token) if token else None,
    )


@router.get(
    "/me/wishlist",
    response_model=WishlistOut,
    summary="Your wishlist, priced today",
    responses=problem_responses(401),
)
async def get_wishlist(viewer: CurrentViewer) -> WishlistOut:
    """All of it (a wishlist holds at most `max_items` products), newest saved first."""
    return _wishlist_out(await wishlist_queries.get_wishlist(viewer))


@router.put(
    "/me/wishlist/items/{product_id}",
    response_model=WishlistOut,
    summary="Save a product to your wishlist (saving it again keeps one entry)",
    responses=problem_responses(400, 401, 404),
)
async def save_product(
    product_id: ProductId, viewer: CurrentViewer, body: WishlistItemIn | None = None
) -> WishlistOut:
    """The body is optional. 404: the product is not sold, or has no such variant.
    400: the wishlist is full."""
    await wishlists.save_product(viewer, product_id, body.variant_id if body else None)
    return _wishlist_out(await wishlist_queries.get_wishlist(viewer))


@router.delete(
    "/me/wishlist/items/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a product from your wishlist (also when it is not there)",
    responses=problem_responses(400, 401),
)
async def remove_product(product_id: ProductId, viewer: CurrentViewer) -> Response:
    """Idempotent: 204 whether or not it was saved."""
    await wishlists.remove_product(viewer, product_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/wishlist/items/{product_id}/move-to-cart",
    response_model=MovedToCartOut,
    summary="Put one of a saved product in your cart and take it off the wishlist",
    responses=problem_responses(400, 401, 404, 409),
)
async def move_to_cart(product_id: ProductId, viewer: CurrentViewer) -> MovedToCartOut:
    """The variant saved with it, else the product's only one. The cart's rules apply
    (stock, per-line and per-cart limits). 404: not on your wishlist. 409: it cannot go
    in the cart now (sold out, no longer sold, a size or colour to choose: save it again
    with `variant_id`); it stays on the wishlist."""
    owner = cart_owners.user_owner(viewer.user_id)
    result = await wishlists.move_to_cart(viewer, product_id, owner)
    if not result.moved:
        raise MoveToCartRefusedError(result.message)
    return MovedToCartOut(
        message=result.message, cart=CartOut.of(await cart_queries.get_cart(owner))
    )


@router.post(
    "/me/wishlist/share-link",
    status_code=status.HTTP_201_CREATED,
    response_model=ShareLinkOut,
    summary="Share your wishlist: a new link (an older one stops working)",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(401),
    },
)
async def create_share_link(viewer: CurrentViewer) -> JSONResponse:
    """Anyone holding the link may read the list (its products, nothing about you)."""
    token = await wishlists.create_share_link(viewer)
    body = ShareLinkOut(token=token, url=_share_url(token))
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/wishlists/shared/{token}"},
    )


@router.delete(
    "/me/wishlist/share-link",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop sharing your wishlist (the link then answers 404)",
    responses=problem_responses(401),
)
async def revoke_share_link(viewer: CurrentViewer) -> Response:
    """Idempotent: 204 also when the list was not shared."""
    await wishlists.revoke_share_link(viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/wishlists/shared/{token}",
    response_model=SharedWishlistOut,
    summary="A wishlist someone shared (public; products no longer sold are left out)",
    responses=problem_responses(400, 404),
)
async def get_shared_wishlist(token: ShareToken) -> SharedWishlistOut:
    """404: no such link, or its owner stopped sharing."""
    return SharedWishlistOut(items=_items(await wishlist_queries.get_shared_wishlist(token)))
