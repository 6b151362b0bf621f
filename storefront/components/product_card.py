"""A product tile: picture (or its colour swatch) with a "Sale" badge when marked down, name,
brand, price (and the struck-through "was" price), availability, and the wishlist heart
(beside the tile's link, not inside it: a button may not sit in a link)."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

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


def product_card(product: rx.Var[ProductCard]) -> rx.Component:
    """A product tile. Its link is the product's name, stretched over the whole card (the
    `.card-link` style): the link's name is what it shows, and the save heart above it
    stays a target of its own.

    Plain elements dressed in Radix Themes' own class names (the same look as `rx.card`,
    `rx.text` and `rx.badge`), with the few styles of their own in `ui/theme.py`
    (`.product-card`): a page renders 8-24 tiles at once, and each Radix component works
    out its class names from its props at every render and each `style` becomes a
    CSS-in-JS class, which made the tiles about half of a listing page's main-thread work
    on a phone (issue #19)."""
    return rx.el.div(
        rx.el.div(
            rx.el.div(
                _picture(product),
                _text(product.brand, size="1", accent="gray"),
                ReactRouterLink.create(
                    product.name,
                    href=product.url,
                    class_name=(
                        "rt-Text rt-reset rt-Link rt-r-size-3 rt-r-weight-medium "
                        "rt-underline-none card-link"
                    ),
                ),
                rx.cond(product.colours != "", _text(product.colours, size="1", accent="gray")),
                rx.cond(
                    product.rating_count > 0,
                    rx.el.div(
                        rx.el.p(product.rating_stars, class_name="rt-Text rt-r-size-2 stars"),
                        _text(
                            product.rating, " (", product.rating_count, ")", size="1", accent="gray"
                        ),
                        class_name="rt-Flex rt-r-ai-center rt-r-gap-1",
                    ),
                ),
                rx.el.div(
                    rx.el.div(
                        rx.el.p(product.price, class_name="rt-Text rt-r-weight-bold price"),
                        rx.cond(
                            product.compare_at != "",
                            _text(
                                rx.el.span("Was ", class_name="visually-hidden"),
                                product.compare_at,
                                size="2",
                                accent="gray",
                                extra="was",
                            ),
                        ),
                        class_name="rt-Flex rt-r-ai-baseline rt-r-fw-wrap rt-r-gap-2",
                    ),
                    _badge(product.stock, rx.cond(product.in_stock, "grass", "tomato"), "soft"),
                    class_name=(
                        "rt-Flex rt-r-ai-center rt-r-jc-space-between rt-r-fw-wrap rt-r-gap-1 "
                        "card-footer"
                    ),
                ),
                class_name="rt-Flex rt-r-fd-column rt-r-ai-start rt-r-gap-2",
            ),
            class_name="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface",
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
            _badge(product.badge, "tomato", "solid high-contrast sale-badge"),
        ),
        class_name="card-picture",
    )


def _text(
    *content: rx.Component | rx.Var | str, size: str, accent: str, extra: str = ""
) -> rx.Component:
    """Radix's `Text` as a plain paragraph."""
    return rx.el.p(
        *content,
        class_name=f"rt-Text rt-r-size-{size} {extra}".strip(),
        custom_attrs={"data-accent-color": accent},
    )


def _badge(label: rx.Var[str], accent: rx.Var[str] | str, variant: str) -> rx.Component:
    """Radix's `Badge` as a plain span (`variant` is its variant, then any other class)."""
    first, *rest = variant.split()
    classes = f"rt-reset rt-Badge rt-r-size-1 rt-variant-{first} " + " ".join(
        "rt-high-contrast" if name == "high-contrast" else name for name in rest
    )
    return rx.el.span(label, class_name=classes.strip(), custom_attrs={"data-accent-color": accent})


def product_grid(products: rx.Var[list[ProductCard]]) -> rx.Component:
    return rx.grid(
        rx.foreach(products, product_card),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing=rx.breakpoints(initial="3", md="4"),
        width="100%",
    )
