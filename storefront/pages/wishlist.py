"""The shopper's wishlist (/account/wishlist) and a shared wishlist's read-only page
(/wishlists/<token>).

Every handler of the private page acts on the server-side viewer's own list; product ids
from the browser only pick among that viewer's saved products (the service checks).
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from backend.cart import queries as cart_queries
from backend.core.errors import DomainError, NotFoundError
from backend.media.thumbnails import thumbnail_url
from backend.settings import get_settings
from backend.wishlists import queries as wishlist_queries
from backend.wishlists import services as wishlists
from backend.wishlists.schemas import WishlistView
from storefront.components.layout import shop_page
from storefront.components.product_card import product_tile_art
from storefront.state import HeaderState, SavedProductsState
from ui.access import PublicState, SessionState, SignedInState
from ui.viewmodels import initials_for, product_url, swatch_for

MAX_TOKEN_LENGTH = wishlist_queries.MAX_SHARE_TOKEN_LENGTH


@dataclasses.dataclass(frozen=True)
class SavedRow:
    product_id: str
    name: str
    brand: str
    url: str
    price: str
    availability: str
    available: bool
    image: str
    initials: str
    swatch: str


def _rows(view: WishlistView) -> list[SavedRow]:
    rows = []
    for item in view.items:
        product = item.product
        rows.append(
            SavedRow(
                product_id=str(product.id),
                name=product.name,
                brand=product.brand or "",
                url=product_url(product.slug),
                price=product.price_display,
                availability=item.availability,
                available=item.available,
                image=thumbnail_url(product.image_url, 160) if product.image_url else "",
                initials=initials_for(product.name, product.brand),
                swatch=swatch_for(product.slug),
            )
        )
    return rows


def _share_url(token: str | None) -> str:
    return f"{get_settings().public_base_url}/wishlists/{token}" if token else ""


def _product_id(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


class WishlistState(SignedInState):
    rows: list[SavedRow] = []
    share_url: str = ""
    loaded: bool = False

    def _show(self, view: WishlistView) -> None:
        self.rows = _rows(view)
        self.share_url = _share_url(view.share_token)
        self.loaded = True

    async def _reload(self) -> None:
        viewer = self.viewer
        if viewer is not None:
            self._show(await wishlist_queries.get_wishlist(viewer))
            saved = await self.get_state(SavedProductsState)
            saved.saved_ids = [row.product_id for row in self.rows]

    @rx.event
    async def load(self) -> None:
        await self._reload()

    @rx.event
    async def remove(self, product_id: str) -> rx.event.EventSpec | None:
        viewer, found = self.viewer, _product_id(product_id)
        if viewer is None or found is None:
            return None
        await wishlists.remove_product(viewer, found)
        await self._reload()
        return rx.toast("Removed from your wishlist.", duration=2000)

    @rx.event
    async def move_to_cart(self, product_id: str) -> rx.event.EventSpec | None:
        viewer, found = self.viewer, _product_id(product_id)
        owner = self._cart_owner()
        if viewer is None or found is None or owner is None:
            return None
        try:
            result = await wishlists.move_to_cart(viewer, found, owner)
        except NotFoundError as error:
            await self._reload()
            return rx.toast.error(error.message)
        await self._reload()
        if not result.moved:
            return rx.toast.error(result.message)
        (await self.get_state(HeaderState)).cart_item_count = await cart_queries.item_count(owner)
        return rx.toast(result.message, duration=2500)

    @rx.event
    async def share(self) -> None:
        viewer = self.viewer
        if viewer is not None:
            self.share_url = _share_url(await wishlists.create_share_link(viewer))

    @rx.event
    async def stop_sharing(self) -> rx.event.EventSpec | None:
        viewer = self.viewer
        if viewer is None:
            return None
        await wishlists.revoke_share_link(viewer)
        self.share_url = ""
        return rx.toast("The share link no longer works.", duration=2500)


class SharedWishlistState(PublicState):
    rows: list[SavedRow] = []
    found: bool = False
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        token = self.router.url.path.rstrip("/").rpartition("/")[2][:MAX_TOKEN_LENGTH]
        try:
            view = await wishlist_queries.get_shared_wishlist(token)
        except DomainError:
            self.rows, self.found = [], False
        else:
            self.rows, self.found = _rows(view), True
        self.loaded = True


def _picture(row: rx.Var[SavedRow]) -> rx.Component:
    return rx.link(
        rx.cond(
            row.image != "",
            rx.image(
                src=row.image,
                alt="",
                width="88px",
                height="88px",
                object_fit="cover",
                border_radius="var(--radius-3)",
                background=row.swatch,
            ),
            product_tile_art(row.initials, row.swatch, size="88px"),
        ),
        href=row.url,
        tab_index=-1,
        aria_hidden="true",
        flex_shrink="0",
    )


def _details(row: rx.Var[SavedRow]) -> rx.Component:
    return rx.vstack(
        rx.text(row.brand, size="1", color_scheme="gray"),
        rx.link(row.name, href=row.url, weight="medium", color=rx.color("gray", 12)),
        rx.hstack(
            rx.text(row.price, weight="bold"),
            rx.badge(
                row.availability,
                color_scheme=rx.cond(row.available, "grass", "tomato"),
                variant="soft",
            ),
            spacing="2",
            align="center",
        ),
        spacing="1",
        flex="1",
        min_width="180px",
    )


def _saved_row(row: rx.Var[SavedRow]) -> rx.Component:
    return rx.hstack(
        _picture(row),
        _details(row),
        rx.hstack(
            rx.button(
                rx.icon("shopping-cart", size=16),
                "Move to cart",
                on_click=WishlistState.move_to_cart(row.product_id),
                disabled=~row.available,
                aria_label="Move " + row.name + " to cart",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=16),
                on_click=WishlistState.remove(row.product_id),
                variant="ghost",
                color_scheme="gray",
                aria_label="Remove " + row.name + " from wishlist",
            ),
            spacing="3",
            align="center",
        ),
        spacing="4",
        align="center",
        width="100%",
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        wrap="wrap",
        data_testid="wishlist-row",
    )


def _share_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("share-2", size=18, color=rx.color("accent", 10)),
                rx.heading("Share your wishlist", size="3", as_="h2"),
                spacing="2",
                align="center",
            ),
            rx.cond(
                WishlistState.share_url != "",
                rx.vstack(
                    rx.text(
                        "Anyone with this link can see your list (not your name or e-mail) "
                        "but not change it.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.input(
                        value=WishlistState.share_url,
                        read_only=True,
                        aria_label="Share link",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("copy", size=16),
                            "Copy link",
                            variant="soft",
                            on_click=[
                                rx.set_clipboard(WishlistState.share_url),
                                rx.toast("Link copied.", duration=1500),
                            ],
                        ),
                        rx.button(
                            "Stop sharing",
                            variant="soft",
                            color_scheme="tomato",
                            on_click=WishlistState.stop_sharing,
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    rx.text(
                        "Make a private link to show your list to family and friends. You can "
                        "stop sharing at any time.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.button(
                        rx.icon("link", size=16), "Create share link", on_click=WishlistState.share
                    ),
                    spacing="3",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def wishlist_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Your wishlist", size="7", as_="h1"),
            rx.cond(
                SessionState.signed_in,
                rx.cond(
                    WishlistState.loaded,
                    rx.grid(
                        rx.cond(
                            WishlistState.rows.length() == 0,
                            rx.vstack(
                                rx.text(
                                    "Nothing saved yet. Tap the heart on any product to keep "
                                    "it here for later."
                                ),
                                rx.link("Browse the shop", href="/"),
                            ),
                            rx.vstack(
                                rx.foreach(WishlistState.rows, _saved_row),
                                spacing="0",
                                width="100%",
                            ),
                        ),
                        _share_card(),
                        columns=rx.breakpoints(initial="1", md="2fr 1fr"),
                        spacing="6",
                        width="100%",
                        align_items="start",
                    ),
                    rx.spinner(),
                ),
                rx.vstack(
                    rx.text("Sign in to see the products you saved."),
                    rx.link(rx.button("Sign in"), href="/sign-in?next=/account/wishlist"),
                    spacing="3",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )


def _shared_row(row: rx.Var[SavedRow]) -> rx.Component:
    return rx.hstack(
        _picture(row),
        _details(row),
        spacing="4",
        align="center",
        width="100%",
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        data_testid="wishlist-row",
    )


def shared_wishlist_page() -> rx.Component:
    return shop_page(
        rx.cond(
            SharedWishlistState.loaded,
            rx.cond(
                SharedWishlistState.found,
                rx.vstack(
                    rx.heading("A shared wishlist", size="7", as_="h1"),
                    rx.text("Someone shared these products with you.", color_scheme="gray"),
                    rx.cond(
                        SharedWishlistState.rows.length() == 0,
                        rx.text("This wishlist is empty for now."),
                        rx.vstack(
                            rx.foreach(SharedWishlistState.rows, _shared_row),
                            spacing="0",
                            width="100%",
                            max_width="720px",
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
                rx.vstack(
                    rx.heading("Wishlist not found", size="7", as_="h1"),
                    rx.text("This link does not work: the list may no longer be shared."),
                    rx.link("Back to the shop", href="/"),
                    spacing="3",
                ),
            ),
            rx.spinner(),
        )
    )
