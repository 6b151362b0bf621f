"""The storefront's sign-in page; its state and form are shared with the admin gate
(`ui/sign_in.py`)."""

from __future__ import annotations

import reflex as rx

from storefront.components.layout import shop_page
from ui.sign_in import SignInState, sign_in_form


def sign_in_page() -> rx.Component:
    return shop_page(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.heading("Sign in", size="6", as_="h1"),
                    rx.text("New here? ", rx.link("Create an account", href="/sign-up"), size="2"),
                    sign_in_form(
                        form_page="/sign-in",
                        next_path=SignInState.next_path,
                        error=SignInState.error_message,
                    ),
                    spacing="4",
                ),
                width="100%",
                max_width="400px",
                padding="24px",
            ),
            width="100%",
            padding_y="32px",
        )
    )
