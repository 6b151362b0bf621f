"""The page for any address the shop does not know."""

from __future__ import annotations

import reflex as rx

from storefront.components.layout import shop_page


def not_found_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Page not found", size="7", as_="h1"),
            rx.text("The page you asked for does not exist. It may have moved."),
            rx.link("Go to the home page", href="/"),
            spacing="3",
            padding_y="32px",
        )
    )
