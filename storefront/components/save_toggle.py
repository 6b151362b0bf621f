"""The wishlist heart on product cards and the "Save" button on product pages.

Signed-in viewers toggle the product in their wishlist; everyone else gets a link to sign
in that comes back to this page. Whether a product is saved is read from
`SavedProductsState.saved_ids`, loaded once per page.
"""

from __future__ import annotations

import reflex as rx

from storefront.state import SavedProductsState
from ui import plain_radix as plain
from ui.access import SessionState


def _sign_in_href() -> rx.Var[str]:
    return "/sign-in?next=" + rx.State.router.url.path  # type: ignore[return-value]


def heart_toggle(product_id: rx.Var[str], name: rx.Var[str]) -> rx.Component:
    """A round heart button for a product card (placed over the card, not inside its link).
    Plain elements with Radix Themes' icon-button classes, as the card itself is
    (storefront/components/product_card.py); the placement is `.heart` in ui/theme.py."""
    saved = SavedProductsState.saved_ids.contains(product_id)
    return rx.cond(
        SessionState.signed_in,
        rx.el.button(
            rx.icon("heart", size=18, fill=rx.cond(saved, "currentColor", "none")),
            type="button",
            on_click=SavedProductsState.toggle(product_id),
            aria_label=rx.cond(saved, "Remove " + name + " from wishlist", "Save " + name),
            aria_pressed=rx.cond(saved, "true", "false"),
            title=rx.cond(saved, "Saved to your wishlist", "Save to your wishlist"),
            class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-surface rt-IconButton heart",
            custom_attrs={
                "data-radius": "full",
                "data-accent-color": rx.cond(saved, "tomato", "gray"),
            },
        ),
        plain.link(
            rx.el.span(rx.icon("heart", size=18)),
            href=_sign_in_href(),
            aria_label="Save " + name + " (sign in first)",
            title="Sign in to save",
            class_name="heart heart-link",
        ),
    )


def save_button(product_id: rx.Var[str], name: rx.Var[str]) -> rx.Component:
    """The product page's "Save" / "Saved" toggle."""
    saved = SavedProductsState.saved_ids.contains(product_id)
    return rx.cond(
        SessionState.signed_in,
        rx.button(
            rx.icon("heart", size=18, fill=rx.cond(saved, "currentColor", "none")),
            rx.cond(saved, "Saved", "Save"),
            on_click=SavedProductsState.toggle(product_id),
            aria_label=rx.cond(saved, "Remove " + name + " from wishlist", "Save " + name),
            aria_pressed=rx.cond(saved, "true", "false"),
            size="3",
            variant="soft",
            color_scheme=rx.cond(saved, "tomato", "gray"),  # type: ignore[arg-type]
        ),
        rx.link(
            rx.button(
                rx.icon("heart", size=18),
                "Save",
                size="3",
                variant="soft",
                color_scheme="gray",
                tab_index=-1,
            ),
            href=_sign_in_href(),
            aria_label="Save " + name + " (sign in first)",
        ),
    )
