"""Product page: name, price, availability, description and attributes."""

from __future__ import annotations

import uuid

import reflex as rx

from backend.catalog import queries as catalog
from backend.core.errors import NotFoundError
from storefront.access import PublicState
from storefront.components.layout import shop_page
from storefront.components.product_card import product_tile_art
from storefront.viewmodels import ProductPageView, product_page_view


class ProductState(PublicState):
    product: ProductPageView | None = None
    not_found: bool = False

    @rx.event
    async def load(self) -> None:
        raw_id = self.router.url.path.rstrip("/").rpartition("/")[2]
        try:
            product = await catalog.get_active_product(uuid.UUID(raw_id))
        except (ValueError, NotFoundError):
            self.product, self.not_found = None, True
            return
        self.product, self.not_found = product_page_view(product), False


def _attribute_row(attribute: rx.Var[tuple[str, str]]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(attribute[0]),
        rx.data_list.value(attribute[1]),
    )


def _details(product: rx.Var[ProductPageView]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link("Home", href="/", size="2"),
            rx.text("/", size="2", color_scheme="gray"),
            rx.link(product.category_name, href=product.category_url, size="2"),
            spacing="2",
            aria_label="Breadcrumb",
        ),
        rx.grid(
            product_tile_art(product.initials, product.swatch),
            rx.vstack(
                rx.text(product.brand, color_scheme="gray"),
                rx.heading(product.name, size="7", as_="h1"),
                rx.text(product.price, size="6", weight="bold"),
                rx.badge(
                    product.stock,
                    size="2",
                    color_scheme=rx.cond(product.in_stock, "grass", "tomato"),
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
