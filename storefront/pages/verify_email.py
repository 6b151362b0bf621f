"""The page behind the link in the verification e-mail."""

from __future__ import annotations

import reflex as rx

from backend.accounts import email_links
from storefront.components.layout import shop_page
from ui.access import PublicState

MAX_TOKEN_LENGTH = 200


class VerifyEmailState(PublicState):
    outcome: str = "checking"  # checking | confirmed | invalid

    @rx.event
    async def load(self) -> None:
        token = (self.router.url.query_parameters.get("token") or "").strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            self.outcome = "invalid"
            return
        self.outcome = "confirmed" if await email_links.verify_email(token) else "invalid"


def verify_email_page() -> rx.Component:
    return shop_page(
        rx.center(
            rx.card(
                rx.match(
                    VerifyEmailState.outcome,
                    (
                        "confirmed",
                        rx.vstack(
                            rx.heading("E-mail address confirmed", size="6", as_="h1"),
                            rx.text("Thank you. Your account is active: you can sign in now."),
                            rx.link(rx.button("Sign in"), href="/sign-in"),
                            spacing="3",
                        ),
                    ),
                    (
                        "invalid",
                        rx.vstack(
                            rx.heading("This link does not work", size="6", as_="h1"),
                            rx.text(
                                "It may have been used already or be older than 48 hours. "
                                "If your address is confirmed, just sign in."
                            ),
                            rx.link("Sign in", href="/sign-in"),
                            spacing="3",
                        ),
                    ),
                    rx.hstack(rx.spinner(), rx.text("Checking your link…")),
                ),
                max_width="480px",
                width="100%",
                padding="24px",
            ),
            width="100%",
            padding_y="32px",
        )
    )
