"""Product page: gallery, price, availability, description, attributes, related products."""

from __future__ import annotations

import reflex as rx

from backend.catalog import queries as catalog
from backend.core.errors import NotFoundError
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
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
from ui.viewmodels import ProductPageView, product_page_view

MAX_SLUG_LENGTH = 160


class ProductState(PublicState):
    product: ProductPageView | None = None
    not_found: bool = False
    selected_image: int = 0
    quantity: str = "1"

    @rx.event
    async def load(self) -> list[rx.event.EventSpec | rx.event.EventHandler] | None:
        slug = self.router.url.path.rstrip("/").rpartition("/")[2][:MAX_SLUG_LENGTH]
        self.selected_image = 0
        self.quantity = "1"
        try:
            detail = await catalog.get_product_page(slug)
        except NotFoundError:
            self.product, self.not_found = None, True
            return None
        self.product, self.not_found = product_page_view(detail), False
        owner = self._cart_owner()
        await funnel.record(
            FunnelStep.PRODUCT_VIEW, owner.key if owner else None, detail.summary.id
        )
        # The reviews section and the back-in-stock box (is this viewer already waiting?)
        # load after the product.
        return [
            ProductReviewsState.load,
            BackInStockState.load(str(detail.summary.id), detail.summary.stock_quantity > 0),
        ]

    @rx.event
    def set_quantity(self, value: str) -> None:
        if self.product is not None and value in self.product.quantity_choices:
            self.quantity = value

    @rx.event
    def show_image(self, index: int) -> None:
        if (
            self.product is not None
            and isinstance(index, int)
            and 0 <= index < len(self.product.images)
        ):
            self.selected_image = index


def _attribute_row(attribute: rx.Var[tuple[str, str]]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(attribute[0]),
        rx.data_list.value(attribute[1]),
    )


def _gallery(product: rx.Var[ProductPageView]) -> rx.Component:
    return rx.cond(
        product.images.length() > 0,
        rx.vstack(
            rx.image(
                src=product.images[ProductState.selected_image],
                alt=product.name,
                width="100%",
                aspect_ratio="1 / 1",
                object_fit="cover",
                border_radius="var(--radius-4)",
                background=product.swatch,
            ),
            rx.cond(
                product.images.length() > 1,
                rx.hstack(
                    rx.foreach(
                        product.images,
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


def _details(product: rx.Var[ProductPageView]) -> rx.Component:
    return rx.vstack(
        breadcrumb(product.breadcrumb),
        rx.grid(
            _gallery(product),
            rx.vstack(
                rx.text(product.brand, color_scheme="gray"),
                rx.heading(product.name, size="7", as_="h1"),
                rating_link(),
                rx.text(product.price, size="6", weight="bold"),
                rx.badge(
                    product.stock,
                    size="2",
                    color_scheme=rx.cond(product.in_stock, "grass", "tomato"),
                ),
                rx.cond(
                    product.in_stock,
                    rx.hstack(
                        quantity_select(
                            product.quantity_choices,
                            ProductState.quantity,
                            ProductState.set_quantity,
                            label="Quantity",
                            size="3",
                        ),
                        rx.button(
                            rx.icon("shopping-cart", size=18),
                            "Add to cart",
                            size="3",
                            on_click=CartState.add(product.id, ProductState.quantity),
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
                rx.text(product.description),
                rx.data_list.root(
                    rx.data_list.item(rx.data_list.label("SKU"), rx.data_list.value(product.sku)),
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
