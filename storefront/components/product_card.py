"""A product tile: picture (or its colour swatch) with a "Sale" badge when marked down, name,
brand, price (and the struck-through "was" price), availability, and the wishlist heart
(beside the tile's link, not inside it: a button may not sit in a link)."""

from __future__ import annotations

import reflex as rx

from storefront.components.save_toggle import heart_toggle
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


def product_picture(product: rx.Var[ProductCard]) -> rx.Component:
    return rx.cond(
        product.image != "",
        rx.image(
            src=product.image,
            alt="",
            width="100%",
            aspect_ratio="1 / 1",
            object_fit="cover",
            border_radius="var(--radius-4)",
            loading="lazy",
            decoding="async",
            background=product.swatch,
        ),
        product_tile_art(product.initials, product.swatch),
    )


def product_card(product: rx.Var[ProductCard]) -> rx.Component:
    """A product tile. Its link is the product's name, stretched over the whole card (the
    `.card-link` style): the link's name is what it shows, and the save heart above it
    stays a target of its own."""
    return rx.box(
        _card(product),
        heart_toggle(product.id, product.name),
        position="relative",
        class_name="product-card",
    )


def _card(product: rx.Var[ProductCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.box(
                product_picture(product),
                rx.cond(
                    product.badge != "",
                    rx.badge(
                        product.badge,
                        color_scheme="tomato",
                        variant="solid",
                        high_contrast=True,  # white on tomato-9 is under 4.5:1
                        position="absolute",
                        top="8px",
                        left="8px",
                    ),
                ),
                position="relative",
                width="100%",
            ),
            rx.text(product.brand, size="1", color_scheme="gray"),
            rx.link(
                product.name,
                href=product.url,
                class_name="card-link",
                weight="medium",
                size="3",
                color=rx.color("gray", 12),
                underline="none",
            ),
            rx.cond(
                product.colours != "",
                rx.text(product.colours, size="1", color_scheme="gray"),
            ),
            rx.cond(
                product.rating_count > 0,
                rx.hstack(
                    rx.text(product.rating_stars, color=rx.color("amber", 9), size="2"),
                    rx.text(
                        product.rating,
                        " (",
                        product.rating_count,
                        ")",
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    align="center",
                ),
            ),
            rx.hstack(
                rx.hstack(
                    rx.text(product.price, weight="bold", color=rx.color("gray", 12)),
                    rx.cond(
                        product.compare_at != "",
                        rx.text(
                            rx.el.span("Was ", class_name="visually-hidden"),
                            product.compare_at,
                            size="2",
                            color_scheme="gray",
                            text_decoration="line-through",
                        ),
                    ),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                ),
                rx.badge(
                    product.stock,
                    color_scheme=rx.cond(product.in_stock, "grass", "tomato"),
                    variant="soft",
                ),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
                spacing="1",
            ),
            spacing="2",
            align="start",
        ),
        height="100%",
    )


def product_grid(products: rx.Var[list[ProductCard]]) -> rx.Component:
    return rx.grid(
        rx.foreach(products, product_card),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing=rx.breakpoints(initial="3", md="4"),
        width="100%",
    )
