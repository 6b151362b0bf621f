"""Cart page. Adding to the cart arrives with checkout; until then the cart is empty."""

from __future__ import annotations

import reflex as rx

from storefront.components.layout import shop_page
from storefront.state import HeaderState


def cart_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Your cart", size="7", as_="h1"),
            rx.cond(
                HeaderState.cart_item_count == 0,
                rx.vstack(
                    rx.text("Your cart is empty."),
                    rx.link("Continue shopping", href="/"),
                ),
            ),
            spacing="4",
        )
    )
