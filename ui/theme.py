"""Look and feel shared by the storefront and the admin dashboard."""

from __future__ import annotations

import reflex as rx

RADIX_THEME = rx.theme(accent_color="teal", gray_color="sand", radius="large", scaling="100%")

CONTENT_MAX_WIDTH = "1200px"

# Product tiles without a photo get a calm colour picked from the SKU, the same every time.
SWATCHES = ("#d8e8e4", "#e9e1d3", "#dfe3ee", "#efdfe2", "#e2ecd9", "#ece6f2", "#f1e6d6")

# Radix's colours fall under the 4.5:1 WCAG 1.4.3 asks of text: white on a solid
# button (step 9) reads at 3–3.9:1, a colour's text (step 11) at 3.9–4.4:1 on its own soft
# background (step 3, a badge or a soft button). Darker text steps, each at least 5:1
# on steps 3 and 4; the alpha step is what soft variants and links draw their text in.
_DARKER_TEXT = {
    "teal": "#007064",
    "tomato": "#b3290e",
    "amber": "#8f5200",
    "grass": "#236c32",
    "orange": "#a84000",
    "blue": "#0b62ad",
    "red": "#b3262b",
}
# White on a solid button (step 9, hover step 10): at least 5:1 (Radix's are 3–3.9:1).
_DARKER_SOLID = {
    "teal": ("#007a6a", "#006b5f"),
    "tomato": ("#c2360f", "#a82e0d"),
    "orange": ("#b34700", "#9c3e00"),
    "grass": ("#2f7d3b", "#276a32"),
    "red": ("#c8282e", "#ad2228"),
    "blue": ("#0a6cc2", "#095ca6"),
}
TEXT_CONTRAST = {
    **{f"--{colour}-9": solid for colour, (solid, _) in _DARKER_SOLID.items()},
    **{f"--{colour}-10": hover for colour, (_, hover) in _DARKER_SOLID.items()},
    **{f"--{colour}-11": value for colour, value in _DARKER_TEXT.items()},
    **{f"--{colour}-a11": value for colour, value in _DARKER_TEXT.items()},
}

GLOBAL_STYLE = {
    "body": {"background": "var(--gray-1)"},
    "a": {"text_decoration": "none"},
    # A link inside running text is underlined: colour alone does not tell it apart
    # (WCAG 1.4.1).
    "p a": {"text_decoration_line": "underline", "text_underline_offset": "2px"},
    # Keyboard focus must show (WCAG 1.4.11: 3:1 against its background). Radix draws it
    # in --focus-8, the accent's step 8 (about 2.4:1 on white); step 11 is over 4.5:1.
    # These styles hang under the root theme element's class: "&" is that element.
    "&.radix-themes, & .radix-themes": {"--focus-8": "var(--accent-11)", **TEXT_CONTRAST},
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
    # A product card's link is its name, stretched over the card: the whole card is one
    # target, named by what it shows (storefront/components/product_card.py).
    ".card-link::after": {"content": '""', "position": "absolute", "inset": "0"},
    ".card-link:focus-visible": {"outline": "none"},
    # Drawn inside the card's edge: Radix's card clips what overflows it, and a ring
    # outside was never seen.
    ".card-link:focus-visible::after": {
        "outline": "2px solid var(--accent-11)",
        "outline_offset": "-2px",
        "border_radius": "var(--radius-4)",
    },
    ".product-card:hover .card-link": {"text_decoration_line": "underline"},
    # The tile's own looks; the rest are Radix Themes' classes on plain elements.
    ".product-card": {"position": "relative"},
    ".product-card > .rt-Card": {"height": "100%"},
    ".product-card .card-picture": {"position": "relative", "width": "100%"},
    ".product-card .card-picture img": {
        "display": "block",
        "width": "100%",
        "aspect_ratio": "1 / 1",
        "object_fit": "cover",
        "border_radius": "var(--radius-4)",
    },
    ".product-card .sale-badge": {"position": "absolute", "top": "8px", "left": "8px"},
    ".product-card .card-link, .product-card .price": {"color": "var(--gray-12)"},
    ".product-card .stars": {"color": "var(--amber-9)"},
    ".product-card .was": {"text_decoration": "line-through"},
    ".product-card .card-footer": {"width": "100%"},
    # The home page's category tiles (storefront/pages/home.py).
    ".category-tile > .rt-Card": {"width": "100%", "height": "100%"},
    ".category-tile .tile-title": {"color": "var(--gray-12)"},
    # A listing's filter links (storefront/components/listing.py).
    ".filter-link": {
        "display": "block",
        "min_height": "24px",
        "padding_top": "2px",
        "padding_bottom": "2px",
        "color": "var(--gray-12)",
    },
    # The wishlist heart over a tile's picture (storefront/components/save_toggle.py).
    ".product-card .heart": {
        "position": "absolute",
        "top": "10px",
        "right": "10px",
        "z_index": "1",
        "box_shadow": "0 1px 4px rgba(0, 0, 0, 0.15)",
        "background": "var(--gray-1)",
        "border_radius": "9999px",
    },
    ".product-card .heart-link span": {
        "display": "flex",
        "align_items": "center",
        "justify_content": "center",
        "width": "32px",
        "height": "32px",
        "color": "var(--gray-11)",
    },
    # Read by screen readers, not shown (a dialog's description, "Was" before a price).
    ".visually-hidden": {
        "position": "absolute",
        "width": "1px",
        "height": "1px",
        "padding": "0",
        "margin": "-1px",
        "overflow": "hidden",
        "clip": "rect(0, 0, 0, 0)",
        "white_space": "nowrap",
        "border": "0",
    },
}
