"""What every page and order shows while the built-in test gateway takes the payments.

Nobody is charged then, whatever a checkout says, so shoppers and staff must not mistake it
for a shop that sells: a strip on every storefront and admin page, and a badge on each order
paid that way. Compiled in from settings (every process of one deployment shares them).
"""

from __future__ import annotations

import reflex as rx

from backend.settings import get_settings

BANNER_TEXT = "Test mode — no real payments: cards are not charged and orders are not paid for."
TEST_PAYMENT_TEXT = "Test payment — no money was taken"


def test_mode_banner() -> rx.Component:
    """The strip at the top of every page, or nothing when a real gateway takes payments."""
    if not get_settings().test_payments:
        return rx.fragment()
    return rx.el.div(
        rx.hstack(
            rx.icon("triangle-alert", size=16, aria_hidden="true", flex_shrink="0"),
            rx.text(BANNER_TEXT, size="2", weight="medium"),
            spacing="2",
            align="center",
            justify="center",
        ),
        role="note",
        aria_label="Test mode",
        background=rx.color("amber", 4),
        color=rx.color("amber", 12),
        border_bottom=f"1px solid {rx.color('amber', 7)}",
        padding="6px 16px",
        text_align="center",
        width="100%",
    )


def test_payment_badge() -> rx.Component:
    return rx.badge(TEST_PAYMENT_TEXT, size="2", color_scheme="amber", variant="solid")
