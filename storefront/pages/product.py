"""Product page: gallery, option picker, price, availability, description, attributes,
related products. The chosen variant is in the address (`?variant=<id>`), so a shared link
opens it."""

from __future__ import annotations

import json
import uuid

import reflex as rx

from backend.catalog.retired_slugs import find_renamed_product
from backend.catalog.schemas import ProductDetail, VariantView
from backend.checkout.price_note import price_note
from backend.core.errors import NotFoundError
from backend.core.regions import country_from_accept_language
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.live.topics import product_topic
from backend.merchandising import storefront_catalog
from storefront.components.breadcrumb import breadcrumb
from storefront.components.layout import shop_page
from storefront.components.product_card import product_grid, product_tile_art
from storefront.components.save_toggle import save_button
from storefront.pages.cart import CartState
from storefront.pages.product_reviews import ProductReviewsState
from storefront.pages.product_reviews_view import rating_link, reviews_section
from storefront.pages.stock_notices import BackInStockState, notify_box
from ui.access import PublicState
from ui.forms import quantity_select
from ui.live import watch
from ui.variant_choice import (
    ChosenVariant,
    OptionChoice,
    ValueChoice,
    choose,
    chosen_variant,
    first_choice,
    option_choices,
    variant_by_id,
)
from ui.viewmodels import ProductPageView, product_page_view

MAX_SLUG_LENGTH = 160


class ProductState(PublicState):
    product: ProductPageView | None = None
    not_found: bool = False
    selected_image: int = 0
    quantity: str = "1"
    # The option picker and what it chose (a product without options has one variant).
    options: list[OptionChoice] = []
    variant: ChosenVariant | None = None
    price_note: str = ""  # "incl. VAT", "+ tax"
    # Server-only: the page's catalog data the picker chooses from.
    _detail: ProductDetail | None = None

    @rx.var
    def tab_title(self) -> str:
        """The browser tab's title (before the shop's name), following client-side
        navigation from product to product (the server's first HTML carries the same title
        for crawlers)."""
        if self.not_found:
            return "Page not found"
        return self.product.name if self.product else "Product"

    @rx.event
    async def load(self) -> list[rx.event.EventSpec | rx.event.EventHandler] | None:
        slug = self.router.url.path.rstrip("/").rpartition("/")[2][:MAX_SLUG_LENGTH]
        self.selected_image = 0
        self.quantity = "1"
        try:
            detail = await storefront_catalog.get_product_page(slug)
        except NotFoundError:
            renamed = await find_renamed_product(slug)
            if renamed is not None:  # an old address: the product's new one
                return [rx.redirect(f"/products/{renamed}", replace=True)]
            self.product, self.not_found, self._detail = None, True, None
            self.options, self.variant = [], None
            return None
        self.product, self.not_found, self._detail = product_page_view(detail), False, detail
        self.price_note = await price_note(
            country_from_accept_language(self.router.headers.accept_language)
        )
        watch(self, [product_topic(detail.summary.id)])  # stock and price follow, live
        asked = str(self.router.url.query_parameters.get("variant") or "")[:36]
        current = variant_by_id(detail.variants, asked) or first_choice(detail.variants)
        owner = self._cart_owner()
        await funnel.record(
            FunnelStep.PRODUCT_VIEW, owner.key if owner else None, detail.summary.id
        )
        # The reviews section and the back-in-stock box (is this viewer already waiting?)
        # load after the product.
        (await self.get_state(ProductReviewsState))._show_product(slug, detail.summary.id)
        return [ProductReviewsState.load, *self._show(current)]

    async def _refresh_live(self) -> None:
        """The product changed (stock, price, variants): show it as it is now, on the
        variant the shopper chose, keeping their quantity and picture."""
        shown, variant = self._detail, self.variant
        if shown is None:
            return
        try:
            detail = await storefront_catalog.get_product_page(shown.summary.slug)
        except NotFoundError:
            self.product, self.not_found, self._detail = None, True, None
            return
        current = variant_by_id(detail.variants, variant.id if variant else "")
        current = current or first_choice(detail.variants)
        self.product, self._detail = product_page_view(detail), detail
        if current is None:
            self.options, self.variant = [], None
            return
        self.options = option_choices(detail.options, detail.variants, current)
        self.variant = chosen_variant(current, detail.image_urls)
        if self.quantity not in self.variant.quantity_choices:
            self.quantity = "1"

    def _show(self, current: VariantView | None) -> list[rx.event.EventSpec]:
        """Put the chosen variant on the page; the back-in-stock box follows it."""
        detail = self._detail
        if detail is None or current is None:
            self.options, self.variant = [], None
            return []
        self.options = option_choices(detail.options, detail.variants, current)
        self.variant = chosen_variant(current, detail.image_urls)
        if self.quantity not in self.variant.quantity_choices:
            self.quantity = "1"
        self.selected_image = 0
        return [BackInStockState.load(str(current.id), current.stock_quantity > 0)]

    @rx.event
    def choose_value(self, option_index: int, value: str) -> list[rx.event.EventSpec]:
        """The shopper picked `value` for one option: show the variant it lands on, and
        put it in the address (replacing the entry: Back leaves the page)."""
        detail, shown = self._detail, self.variant
        if detail is None or shown is None or not isinstance(option_index, int):
            return []
        current = variant_by_id(detail.variants, shown.id)
        if current is None:
            return []
        picked = choose(detail.variants, current, option_index, str(value)[:60])
        address = json.dumps(f"?variant={uuid.UUID(str(picked.id))}")
        return [
            *self._show(picked),
            rx.call_script(f"window.history.replaceState(null, '', {address})"),
        ]

    @rx.event
    def set_quantity(self, value: str) -> None:
        if self.variant is not None and value in self.variant.quantity_choices:
            self.quantity = value

    @rx.event
    def show_image(self, index: int) -> None:
        if (
            self.variant is not None
            and isinstance(index, int)
            and 0 <= index < len(self.variant.images)
        ):
            self.selected_image = index


def _attribute_row(attribute: rx.Var[tuple[str, str]]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(attribute[0]),
        rx.data_list.value(attribute[1]),
    )


def _gallery(product: rx.Var[ProductPageView], images: rx.Var[list[str]]) -> rx.Component:
    return rx.cond(
        images.length() > 0,
        rx.vstack(
            rx.image(
                src=images[ProductState.selected_image],
                alt=product.name,
                width="100%",
                aspect_ratio="1 / 1",
                object_fit="cover",
                border_radius="var(--radius-4)",
                background=product.swatch,
                data_testid="product-image",
            ),
            rx.cond(
                images.length() > 1,
                rx.hstack(
                    rx.foreach(
                        images,
                        lambda url, index: rx.button(
                            rx.image(
                                src=url,
                                alt="",
                                width="64px",
                                height="64px",
                                object_fit="cover",
                                border_radius="var(--radius-2)",
                            ),
                            variant=rx.cond(index == ProductState.selected_image, "solid", "ghost"),
                            padding="2px",
                            height="auto",
                            margin="2px",
                            on_click=ProductState.show_image(index),
                            aria_label="Show picture " + (index + 1).to_string(),
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            width="100%",
        ),
        product_tile_art(product.initials, product.swatch),
    )


def _value_card(value: rx.Var[ValueChoice]) -> rx.Component:
    return rx.radio_cards.item(
        rx.hstack(
            rx.cond(
                value.swatch != "",
                rx.image(
                    src=value.swatch,
                    alt="",
                    width="28px",
                    height="28px",
                    object_fit="cover",
                    border_radius="var(--radius-full)",
                ),
            ),
            rx.text(
                value.value,
                text_decoration=rx.cond(value.dimmed, "line-through", "none"),
            ),
            spacing="2",
            align="center",
        ),
        value=value.value,
        aria_label=value.label,
        title=value.label,
        opacity=rx.cond(value.dimmed, "0.6", "1"),
        cursor="pointer",
    )


def _option_picker(option: rx.Var[OptionChoice], option_index: rx.Var[int]) -> rx.Component:
    """One option as a radio group named after it (arrow keys move, Space/Enter picks)."""
    return rx.vstack(
        rx.text(
            option.name,
            ": ",
            rx.text.strong(option.selected),
            size="2",
            id="option-label-" + option_index.to_string(),
        ),
        rx.radio_cards.root(
            rx.foreach(option.choices, _value_card),
            value=option.selected,
            on_value_change=lambda value: ProductState.choose_value(option_index, value),
            aria_label=option.name,
            columns=rx.breakpoints(initial="3", sm="5"),
            gap="2",
            size="1",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _buy_box(product: rx.Var[ProductPageView], chosen: rx.Var[ChosenVariant]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(chosen.price, size="6", weight="bold", data_testid="product-price"),
            rx.text(
                ProductState.price_note, size="2", color_scheme="gray", data_testid="price-note"
            ),
            rx.cond(
                chosen.compare_at_price != "",
                rx.text(
                    rx.el.span("Was ", class_name="visually-hidden"),
                    chosen.compare_at_price,
                    size="4",
                    color_scheme="gray",
                    text_decoration="line-through",
                    data_testid="product-compare-at",
                ),
            ),
            spacing="3",
            align="baseline",
        ),
        rx.cond(
            chosen.sale_title != "",
            rx.badge(chosen.sale_title, size="2", color_scheme="tomato", variant="soft"),
        ),
        rx.cond(
            product.offers.length() > 0,
            rx.hstack(
                rx.foreach(
                    product.offers,
                    lambda offer: rx.badge(offer, size="2", color_scheme="grass", variant="soft"),
                ),
                spacing="2",
                wrap="wrap",
                role="group",
                aria_label="Offers",
            ),
        ),
        rx.foreach(ProductState.options, _option_picker),
        rx.badge(
            chosen.stock,
            size="2",
            color_scheme=rx.cond(chosen.in_stock, "grass", "tomato"),
            aria_live="polite",  # a new choice's availability is read out
            data_testid="product-stock",
        ),
        rx.cond(
            chosen.in_stock,
            rx.hstack(
                quantity_select(
                    chosen.quantity_choices,
                    ProductState.quantity,
                    ProductState.set_quantity,
                    label="Quantity",
                    size="3",
                ),
                rx.button(
                    rx.icon("shopping-cart", size=18),
                    "Add to cart",
                    size="3",
                    on_click=CartState.add(chosen.id, ProductState.quantity),
                ),
                save_button(product.id, product.name),
                spacing="3",
                wrap="wrap",
            ),
            rx.vstack(
                rx.hstack(
                    rx.button("Sold out", size="3", disabled=True),
                    save_button(product.id, product.name),
                    spacing="3",
                ),
                notify_box(),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def _details(product: rx.Var[ProductPageView]) -> rx.Component:
    chosen = ProductState.variant.to(ChosenVariant)
    return rx.vstack(
        breadcrumb(product.breadcrumb),
        rx.grid(
            _gallery(product, rx.cond(ProductState.variant, chosen.images, product.images)),
            rx.vstack(
                rx.text(product.brand, color_scheme="gray"),
                rx.heading(product.name, size="7", as_="h1"),
                rating_link(),
                rx.cond(
                    ProductState.variant,
                    _buy_box(product, chosen),
                    rx.vstack(
                        rx.text(product.price, size="6", weight="bold"),
                        rx.button("Sold out", size="3", disabled=True),
                    ),
                ),
                rx.text(product.description),
                rx.data_list.root(
                    rx.data_list.item(
                        rx.data_list.label("SKU"),
                        rx.data_list.value(
                            rx.cond(ProductState.variant, chosen.sku, product.sku),
                            data_testid="product-sku",
                        ),
                    ),
                    rx.foreach(product.attributes, _attribute_row),
                ),
                spacing="3",
                align="start",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="6",
            width="100%",
        ),
        reviews_section(),
        rx.cond(
            product.related.length() > 0,
            rx.vstack(
                rx.heading("You may also like", size="5", as_="h2"),
                product_grid(product.related),
                spacing="3",
                width="100%",
                padding_top="24px",
            ),
        ),
        spacing="4",
        width="100%",
    )


def product_page() -> rx.Component:
    return shop_page(
        rx.cond(
            ProductState.not_found,
            rx.vstack(
                rx.heading("Product not found", size="7", as_="h1"),
                rx.text("This product does not exist or is no longer sold."),
                rx.link("Back to the home page", href="/"),
            ),
            rx.cond(ProductState.product, _details(ProductState.product.to(ProductPageView))),
        )
    )
