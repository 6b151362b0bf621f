"""Home: the merchant's collections, the categories to browse and the newest products."""

from __future__ import annotations

import dataclasses

import reflex as rx

from backend.catalog import category_queries
from backend.media.thumbnails import thumbnail_url
from backend.merchandising import storefront_catalog
from backend.merchandising.queries import list_home_collections
from backend.shop_settings.values import HOME_TAGLINE
from storefront.components.layout import shop_page
from storefront.components.product_card import product_grid
from ui import plain_radix as plain
from ui.access import PublicState
from ui.shop_identity import ShopIdentityState
from ui.viewmodels import CategoryLink, ProductCard, category_link, product_card


@dataclasses.dataclass(frozen=True)
class CollectionTile:
    title: str
    description: str
    url: str
    image: str  # "" without a picture


class HomeState(PublicState):
    collections: list[CollectionTile] = []
    categories: list[CategoryLink] = []
    new_arrivals: list[ProductCard] = []

    @rx.event
    async def load(self) -> None:
        self.collections = [
            CollectionTile(
                title=collection.title,
                description=collection.description,
                url=collection.path,
                image=thumbnail_url(collection.image_url, 480) if collection.image_url else "",
            )
            for collection in await list_home_collections()
        ]
        self.categories = [category_link(c) for c in await category_queries.list_top_categories()]
        self.new_arrivals = [
            product_card(p) for p in await storefront_catalog.list_new_arrivals(limit=8)
        ]


def _category_tile(category: rx.Var[CategoryLink]) -> rx.Component:
    # Plain elements in Radix's looks (ui/plain_radix.py): the home page shows a dozen.
    return plain.link(
        plain.card(
            plain.flex(
                plain.text(category.name, size="4", weight="bold", class_name="tile-title"),
                plain.text(
                    category.product_count.to_string()
                    + rx.cond(category.product_count == 1, " product", " products"),
                    size="2",
                    accent="gray",
                ),
                direction="column",
                align="start",
                gap="1",
            ),
        ),
        href=category.url,
        class_name="category-tile",
    )


def _collection_tile(collection: rx.Var[CollectionTile]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.cond(
                    collection.image != "",
                    rx.image(
                        src=collection.image,
                        alt="",
                        width="100%",
                        aspect_ratio="16 / 9",
                        object_fit="cover",
                        border_radius="var(--radius-3)",
                        loading="lazy",
                    ),
                ),
                rx.text(collection.title, weight="bold", size="4", color=rx.color("gray", 12)),
                rx.cond(
                    collection.description != "",
                    rx.text(collection.description, size="2", color_scheme="gray", trim="both"),
                ),
                spacing="2",
            ),
            width="100%",
            height="100%",
        ),
        href=collection.url,
        underline="none",
    )


def home_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.box(
                rx.heading(ShopIdentityState.shop_name, size="8", as_="h1"),
                rx.text(
                    HOME_TAGLINE,
                    size="4",
                    color_scheme="gray",
                ),
                padding_y="24px",
            ),
            rx.cond(
                HomeState.collections.length() > 0,
                rx.vstack(
                    rx.heading("Collections", size="5", as_="h2"),
                    rx.grid(
                        rx.foreach(HomeState.collections, _collection_tile),
                        columns=rx.breakpoints(initial="1", sm="2", md="3"),
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                    margin_bottom="24px",
                ),
            ),
            rx.heading("Shop by category", size="5", as_="h2"),
            rx.grid(
                rx.foreach(HomeState.categories, _category_tile),
                columns=rx.breakpoints(initial="2", sm="3", md="4", lg="6"),
                spacing="3",
                width="100%",
            ),
            rx.heading("New arrivals", size="5", as_="h2", margin_top="24px"),
            product_grid(HomeState.new_arrivals),
            spacing="4",
            width="100%",
        )
    )
