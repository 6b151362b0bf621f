"""Look and feel shared by the storefront and the admin dashboard."""

from __future__ import annotations

import reflex as rx

RADIX_THEME = rx.theme(accent_color="teal", gray_color="sand", radius="large", scaling="100%")

CONTENT_MAX_WIDTH = "1200px"

# Product tiles without a photo get a calm colour picked from the SKU, the same every time.
SWATCHES = ("#d8e8e4", "#e9e1d3", "#dfe3ee", "#efdfe2", "#e2ecd9", "#ece6f2", "#f1e6d6")

GLOBAL_STYLE = {
    "body": {"background": "var(--gray-1)"},
    "a": {"text_decoration": "none"},
    # Keyboard focus must show (WCAG 1.4.11: 3:1 against its background). Radix draws it
    # in --focus-8, the accent's step 8 (about 2.4:1 on white); step 11 is over 4.5:1.
    ".radix-themes": {"--focus-8": "var(--accent-11)"},
    ":focus-visible": {"outline": "2px solid var(--accent-11)", "outline_offset": "2px"},
    # "Skip to content": the first Tab stop of every page, shown only while focused.
    ".skip-link": {
        "position": "absolute",
        "left": "-10000px",
        "top": "8px",
        "z_index": "10",
        "padding": "8px 16px",
        "background": "var(--gray-1)",
        "color": "var(--accent-12)",
        "border_radius": "var(--radius-2)",
        "font_weight": "600",
    },
    ".skip-link:focus": {"left": "8px"},
}
