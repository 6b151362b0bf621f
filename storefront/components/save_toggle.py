"""The wishlist heart on product cards and the "Save" button on product pages.

Signed-in viewers toggle the product in their wishlist; everyone else gets a link to sign
in that comes back to this page. Whether a product is saved is read from
`SavedProductsState.saved_ids`, loaded once per page.
"""

from __future__ import annotations

import reflex as rx

from storefront.state import SavedProductsState
from ui.access import SessionState


def _sign_in_href() -> rx.Var[str]:
    return "/sign-in?next=" + rx.State.router.url.path  # type: ignore[return-value]


def heart_toggle(product_id: rx.Var[str], name: rx.Var[str]) -> rx.Component:
    """A round heart button for a product card (placed over the card, not inside its link)."""
    saved = SavedProductsState.saved_ids.contains(product_id)
    style = {
        "position": "absolute",
        "top": "10px",
        "right": "10px",
        "z_index": "1",
        "box_shadow": "0 1px 4px rgba(0, 0, 0, 0.15)",
    }
    return rx.cond(
        SessionState.signed_in,
        rx.icon_button(
            rx.icon("heart", size=18, fill=rx.cond(saved, "currentColor", "none")),
            on_click=SavedProductsState.toggle(product_id),
            aria_label=rx.cond(saved, "Remove " + name + " from wishlist", "Save " + name),
            aria_pressed=rx.cond(saved, "true", "false"),
            title=rx.cond(saved, "Saved to your wishlist", "Save to your wishlist"),
            radius="full",
            variant="surface",
            color_scheme=rx.cond(saved, "tomato", "gray"),  # type: ignore[arg-type]
            background=rx.color("gray", 1),
            **style,
        ),
        rx.link(
            rx.center(
                rx.icon("heart", size=18),
                width="32px",
                height="32px",
                border_radius="9999px",
                background=rx.color("gray", 1),
                color=rx.color("gray", 11),
            ),
            href=_sign_in_href(),
            aria_label="Save " + name + " (sign in first)",
            title="Sign in to save",
            border_radius="9999px",
            **style,
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
