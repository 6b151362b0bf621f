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
}
