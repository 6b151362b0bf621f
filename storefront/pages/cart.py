"""Cart page, and the add-to-cart handler product pages use.

The cart lives in Redis under the viewer (signed-in) or the guest cookie; prices shown
here are read from the catalog on every load and change.
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import Cart, CartChange
from backend.catalog.schemas import MAX_QUANTITY_CHOICE
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.live.topics import product_topic
from backend.media.thumbnails import thumbnail_url
from backend.orders import queries as order_queries
from storefront.components.layout import shop_page
from storefront.state import HeaderState
from ui.access import PublicState
from ui.forms import quantity_select
from ui.live import watch
from ui.viewmodels import product_url


@dataclasses.dataclass(frozen=True)
class CartLineView:
    variant_id: str
    name: str
    options: str  # "Size: M · Colour: Navy"; "" for a product without options
    url: str
    image: str
    unit_price: str
    list_price: str  # before its promotion, "" without one
    promotion: str  # the promotion's title, "" without one
    multibuy: str  # "Buy 2, get 1 free: −$10.00", "" without one
    line_total: str  # after the multi-buy
    quantity: str
    choices: list[str]  # the quantities the selector offers
    problem: str


def _line_view(cart: Cart) -> list[CartLineView]:
    views = []
    for line in cart.lines:
        most = max(line.quantity, min(line.stock_quantity, MAX_QUANTITY_CHOICE))
        views.append(
            CartLineView(
                variant_id=str(line.variant_id),
                name=line.name,
                options=" · ".join(f"{name}: {value}" for name, value in line.options),
                url=product_url(line.slug)
                + (f"?variant={line.variant_id}" if line.options else ""),
                image=thumbnail_url(line.image_url, 160) if line.image_url else "",
                unit_price=format_money(line.unit_price, line.currency),
                list_price=format_money(line.list_price, line.currency) if line.list_price else "",
                promotion=line.promotion_title or "",
                multibuy=(
                    f"{line.multibuy_title}: −{format_money(line.multibuy_off, line.currency)}"
                    if line.multibuy_title
                    else ""
                ),
                line_total=format_money(line.total_after_multibuy, line.currency),
                quantity=str(line.quantity),
                choices=[str(n) for n in range(1, max(most, 1) + 1)],
                problem=line.problem or "",
            )
        )
    return views


def _variant_id(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class GiftCardView:
    line_id: str
    name: str  # "Gift card for Robin"
    delivery: str  # "E-mailed to robin@example.com on 24 Dec 2026"
    amount: str


class CartState(PublicState):
    lines: list[CartLineView] = []
    gift_cards: list[GiftCardView] = []
    item_count: int = 0
    subtotal: str = ""
    shipping_note: str = ""
    ready: bool = False
    loaded: bool = False

    async def _show(self, cart: Cart) -> None:
        # Read first: a failed read changes nothing on the page.
        note = await order_queries.shipping_note(cart)
        # A line that sells out or changes price while the cart is open shows it, live.
        watch(self, [product_topic(line.product_id) for line in cart.lines])
        self.lines = _line_view(cart)
        self.gift_cards = [
            GiftCardView(card.line_id, card.display_name, card.delivery, card.amount_display)
            for card in cart.gift_cards
        ]
        self.item_count = cart.item_count
        self.subtotal = cart.subtotal_display
        self.ready = cart.ready_for_checkout
        self.shipping_note = note
        self.loaded = True
        (await self.get_state(HeaderState)).cart_item_count = cart.item_count

    @rx.event
    async def load(self) -> None:
        await self._show(await cart_queries.get_cart(self._cart_owner()))

    async def _refresh_live(self) -> None:
        await self._show(await cart_queries.get_cart(self._cart_owner()))

    async def _apply(self, change: CartChange) -> rx.event.EventSpec:
        await self._show(change.cart)
        return rx.toast(change.message, duration=2500)

    @rx.event
    async def add(self, variant_id: str, quantity: str = "1") -> rx.event.EventSpec | None:
        owner, found = self._cart_owner(), _variant_id(variant_id)
        if owner is None or found is None:
            return rx.toast.error("Reload the page to use the cart.")
        try:
            return await self._apply(await carts.add_item(owner, found, int(quantity)))
        except ValueError:
            return rx.toast.error("Choose a quantity.")
        except DomainError as error:
            return rx.toast.error(error.message)

    @rx.event
    async def change_quantity(self, variant_id: str, quantity: str) -> rx.event.EventSpec | None:
        owner, found = self._cart_owner(), _variant_id(variant_id)
        if owner is None or found is None:
            return None
        try:
            return await self._apply(await carts.set_quantity(owner, found, int(quantity)))
        except (ValueError, DomainError):
            return rx.toast.error("That quantity cannot be chosen.")

    @rx.event
    async def remove(self, variant_id: str) -> rx.event.EventSpec | None:
        owner, found = self._cart_owner(), _variant_id(variant_id)
        if owner is None or found is None:
            return None
        return await self._apply(await carts.remove_item(owner, found))

    @rx.event
    async def remove_gift_card(self, line_id: str) -> rx.event.EventSpec | None:
        owner = self._cart_owner()
        if owner is None:
            return None
        return await self._apply(await carts.remove_gift_card(owner, str(line_id)[:64]))


def _gift_card(card: rx.Var[GiftCardView]) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("gift", size=28, color=rx.color("accent", 10)),
            width="72px",
            height="72px",
            background=rx.color("accent", 3),
            border_radius="var(--radius-2)",
            aria_hidden="true",
        ),
        rx.vstack(
            rx.text(card.name, weight="medium"),
            rx.text(card.delivery, size="2", color_scheme="gray"),
            spacing="1",
            flex="1",
            min_width="180px",
        ),
        rx.text(card.amount, weight="bold", min_width="80px", text_align="right"),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            on_click=CartState.remove_gift_card(card.line_id),
            variant="ghost",
            color_scheme="gray",
            aria_label="Remove " + card.name,
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        wrap="wrap",
    )


def _line(line: rx.Var[CartLineView]) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.cond(
                line.image != "",
                rx.image(
                    src=line.image,
                    alt="",
                    width="72px",
                    height="72px",
                    object_fit="cover",
                    border_radius="var(--radius-2)",
                ),
                rx.box(
                    width="72px",
                    height="72px",
                    background=rx.color("gray", 4),
                    border_radius="var(--radius-2)",
                ),
            ),
            href=line.url,
            # The picture repeats the name's link: one Tab stop and one link read out.
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.vstack(
            rx.link(line.name, href=line.url, weight="medium"),
            rx.cond(line.options != "", rx.text(line.options, size="2")),
            rx.hstack(
                rx.text(line.unit_price, " each", size="2", color_scheme="gray"),
                rx.cond(
                    line.list_price != "",
                    rx.text(
                        rx.el.span("Was ", class_name="visually-hidden"),
                        line.list_price,
                        size="2",
                        color_scheme="gray",
                        text_decoration="line-through",
                    ),
                ),
                spacing="2",
                align="baseline",
            ),
            rx.cond(
                line.promotion != "",
                rx.badge(line.promotion, color_scheme="tomato", variant="soft"),
            ),
            rx.cond(
                line.multibuy != "",
                rx.badge(line.multibuy, color_scheme="grass", variant="soft"),
            ),
            rx.cond(line.problem != "", rx.badge(line.problem, color_scheme="tomato")),
            spacing="1",
            flex="1",
            min_width="180px",  # narrow screens: the controls wrap below the name
        ),
        quantity_select(
            line.choices,
            line.quantity,
            lambda value: CartState.change_quantity(line.variant_id, value),
            label="Quantity of " + line.name + rx.cond(line.options != "", ", " + line.options, ""),
        ),
        rx.text(line.line_total, weight="bold", min_width="80px", text_align="right"),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            on_click=CartState.remove(line.variant_id),
            variant="ghost",
            color_scheme="gray",
            aria_label="Remove " + line.name + rx.cond(line.options != "", ", " + line.options, ""),
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        wrap="wrap",
    )


def cart_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Your cart", size="7", as_="h1"),
            cart_contents(),
            spacing="4",
            width="100%",
        )
    )


def cart_contents() -> rx.Component:
    """The cart's lines and summary (also shown under a restored cart's message)."""
    return rx.fragment(
        rx.cond(
            CartState.loaded & (CartState.item_count == 0),
            rx.vstack(
                rx.text("Your cart is empty."),
                rx.link("Continue shopping", href="/"),
            ),
        ),
        rx.cond(
            CartState.item_count > 0,
            rx.grid(
                rx.vstack(
                    rx.foreach(CartState.lines, _line),
                    rx.foreach(CartState.gift_cards, _gift_card),
                    spacing="0",
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.text("Subtotal"),
                            rx.spacer(),
                            rx.text(CartState.subtotal, weight="bold", data_testid="subtotal"),
                            width="100%",
                        ),
                        rx.text(CartState.shipping_note, size="2", color_scheme="gray"),
                        rx.text("Taxes are calculated at checkout.", size="2", color_scheme="gray"),
                        rx.cond(
                            CartState.ready,
                            # A link that looks like a button: one Tab stop, and the
                            # role it really has (a button inside a link was two).
                            rx.button(
                                rx.link("Check out", href="/checkout"),
                                as_child=True,
                                size="3",
                                width="100%",
                            ),
                            rx.text(
                                "Change or remove the marked items to check out.",
                                size="2",
                                color_scheme="tomato",
                            ),
                        ),
                        spacing="3",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="2fr 1fr"),
                spacing="6",
                width="100%",
                align_items="start",
            ),
        ),
    )
