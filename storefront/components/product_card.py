"""A product tile: picture (or its colour swatch) with a "Sale" badge when marked down, name,
brand, price (and the struck-through "was" price), availability, and the wishlist heart
(beside the tile's link, not inside it: a button may not sit in a link)."""

from __future__ import annotations

import reflex as rx

from storefront.components.save_toggle import heart_toggle
from ui import plain_radix as plain
from ui.viewmodels import ProductCard


def product_tile_art(
    initials: rx.Var[str], swatch: rx.Var[str], size: str = "100%"
) -> rx.Component:
    # No product photos yet: a calm swatch with the product's initials stands in, honestly.
    return rx.center(
        rx.text(initials, size="8", weight="bold", color="rgba(0,0,0,0.45)"),
        background=swatch,
        width=size,
        aspect_ratio="1 / 1",
        border_radius="var(--radius-4)",
        aria_hidden="true",
    )


def product_card(product: rx.Var[ProductCard]) -> rx.Component:
    """A product tile. Its link is the product's name, stretched over the whole card (the
    `.card-link` style): the link's name is what it shows, and the save heart above it
    stays a target of its own. Plain elements in Radix's looks (`ui/plain_radix.py`): a
    page shows 8-24 tiles; their own styles are `.product-card` in `ui/theme.py`."""
    return rx.el.div(
        plain.card(
            plain.flex(
                _picture(product),
                plain.text(product.brand, size="1", accent="gray"),
                plain.link(
                    product.name,
                    href=product.url,
                    size="3",
                    weight="medium",
                    class_name="card-link",
                ),
                rx.cond(
                    product.colours != "",
                    plain.text(product.colours, size="1", accent="gray"),
                ),
                rx.cond(
                    product.rating_count > 0,
                    plain.flex(
                        plain.text(product.rating_stars, size="2", class_name="stars"),
                        plain.text(
                            product.rating, " (", product.rating_count, ")", size="1", accent="gray"
                        ),
                        align="center",
                        gap="1",
                    ),
                ),
                plain.flex(
                    plain.flex(
                        plain.text(product.price, weight="bold", class_name="price"),
                        rx.cond(
                            product.compare_at != "",
                            plain.text(
                                rx.el.span("Was ", class_name="visually-hidden"),
                                product.compare_at,
                                size="2",
                                accent="gray",
                                class_name="was",
                            ),
                        ),
                        align="baseline",
                        wrap=True,
                        gap="2",
                    ),
                    plain.badge(product.stock, rx.cond(product.in_stock, "grass", "tomato")),
                    align="center",
                    justify="space-between",
                    wrap=True,
                    gap="1",
                    class_name="card-footer",
                ),
                direction="column",
                align="start",
                gap="2",
            ),
        ),
        heart_toggle(product.id, product.name),
        class_name="product-card",
    )


def _picture(product: rx.Var[ProductCard]) -> rx.Component:
    return rx.el.div(
        rx.cond(
            product.image != "",
            rx.el.img(
                src=product.image,
                alt="",
                loading="lazy",
                decoding="async",
                custom_attrs={"style": {"background": product.swatch}},
            ),
            product_tile_art(product.initials, product.swatch),
        ),
        rx.cond(
            product.badge != "",
            # White on tomato-9 is under 4.5:1: the badge is drawn in high contrast.
            plain.badge(
                product.badge,
                "tomato",
                variant="solid",
                high_contrast=True,
                class_name="sale-badge",
            ),
        ),
        class_name="card-picture",
    )


def product_grid(products: rx.Var[list[ProductCard]]) -> rx.Component:
    return rx.grid(
        rx.foreach(products, product_card),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing=rx.breakpoints(initial="3", md="4"),
        width="100%",
    )
