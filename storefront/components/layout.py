"""The storefront shell: header (logo, search, cart, account), main column and footer."""

from __future__ import annotations

import reflex as rx

from storefront.state import HeaderState
from ui.access import SessionState
from ui.shop_identity import ShopIdentityState
from ui.sign_in import sign_out_button
from ui.test_mode import test_mode_banner
from ui.theme import CONTENT_MAX_WIDTH


def logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("bird", size=26, color=rx.color("accent", 10)),
            rx.text(
                ShopIdentityState.shop_name, weight="bold", size="5", color=rx.color("gray", 12)
            ),
            align="center",
            spacing="2",
        ),
        href="/",
        aria_label=rx.cond(
            ShopIdentityState.shop_name != "", ShopIdentityState.shop_name + " home", "Home"
        ),
        flex_shrink="0",
    )


def _suggestions() -> rx.Component:
    return rx.cond(
        HeaderState.suggestions.length() > 0,
        rx.card(
            rx.vstack(
                rx.foreach(
                    HeaderState.suggestions,
                    lambda item: rx.link(
                        item.name,
                        href=item.url,
                        on_click=HeaderState.close_suggestions,
                        size="2",
                        color=rx.color("gray", 12),
                        padding="6px 8px",
                        width="100%",
                        border_radius="var(--radius-2)",
                        _hover={"background": rx.color("accent", 3)},
                    ),
                ),
                spacing="0",
                width="100%",
            ),
            position="absolute",
            top="calc(100% + 4px)",
            left="0",
            right="0",
            z_index="20",
            padding="4px",
            background=rx.color("gray", 1),
            box_shadow="0 8px 24px rgba(0, 0, 0, 0.12)",
            role="listbox",
            aria_label="Suggestions",
        ),
    )


def search_box() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                rx.debounce_input(
                    rx.input(
                        rx.input.slot(rx.icon("search", size=16)),
                        name="q",
                        type="search",
                        placeholder="Search products",
                        aria_label="Search products",
                        auto_complete="off",
                        max_length=200,
                        size="3",
                        width="100%",
                        on_change=HeaderState.suggest,
                    ),
                    debounce_timeout=200,
                ),
                _suggestions(),
                position="relative",
                width="100%",
            ),
            rx.button("Search", type="submit", size="3", variant="soft"),
            width="100%",
            spacing="2",
        ),
        on_submit=HeaderState.submit_search,
        reset_on_submit=False,
        role="search",
        width="100%",
    )


def cart_link() -> rx.Component:
    return rx.link(
        rx.box(
            rx.icon("shopping-cart", size=22, color=rx.color("gray", 12)),
            rx.badge(
                HeaderState.cart_item_count,
                radius="full",
                variant="solid",
                size="1",
                position="absolute",
                top="-8px",
                right="-10px",
            ),
            position="relative",
            padding="6px",
        ),
        href="/cart",
        aria_label="Cart, "
        + HeaderState.cart_item_count.to_string()
        + rx.cond(HeaderState.cart_item_count == 1, " item", " items"),
    )


def account_menu() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("circle-user", size=18),
                    rx.text(SessionState.display_name, display=["none", "none", "inline"]),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Account menu",
                ),
            ),
            rx.popover.content(
                rx.vstack(
                    rx.text("Signed in as", size="1", color_scheme="gray"),
                    rx.text(SessionState.display_name, weight="bold"),
                    rx.link("Your account", href="/account"),
                    rx.link("Your orders", href="/account/orders"),
                    rx.link("Your wishlist", href="/account/wishlist"),
                    rx.cond(
                        SessionState.is_staff,
                        rx.link("Admin dashboard", href="/admin"),
                    ),
                    sign_out_button(width="100%"),
                    spacing="2",
                    min_width="180px",
                ),
                align="end",
            ),
        ),
        rx.link(
            rx.hstack(
                rx.icon("circle-user", size=18), rx.text("Sign in"), spacing="1", align="center"
            ),
            href="/sign-in",
            color=rx.color("gray", 12),
        ),
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.flex(
            logo(),
            rx.box(search_box(), flex="1 1 320px", order=["3", "3", "0"], min_width="0"),
            rx.hstack(cart_link(), account_menu(), spacing="5", align="center", margin_left="auto"),
            wrap="wrap",
            align="center",
            column_gap="24px",
            row_gap="12px",
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding=["12px 16px", "12px 16px", "14px 24px"],
        ),
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        z_index="10",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.flex(
            rx.vstack(
                rx.text(ShopIdentityState.shop_name, weight="bold"),
                rx.text("Everyday goods, chosen with care.", size="2", color_scheme="gray"),
                rx.cond(
                    ShopIdentityState.legal_line != "",
                    rx.text(ShopIdentityState.legal_line, size="1", color_scheme="gray"),
                ),
                spacing="1",
            ),
            rx.hstack(
                rx.link("Home", href="/", size="2"),
                rx.link("Search", href="/search", size="2"),
                rx.link("Cart", href="/cart", size="2"),
                rx.link("Find an order", href="/orders/lookup", size="2"),
                rx.link("Gift cards", href="/gift-cards", size="2"),
                rx.link("Gift card balance", href="/gift-cards/balance", size="2"),
                rx.link("Staff", href="/admin", size="2"),
                spacing="4",
                wrap="wrap",
            ),
            justify="between",
            wrap="wrap",
            gap="4",
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding="24px",
        ),
        border_top=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        margin_top="48px",
    )


# Once a page's data has loaded: the server's first paint goes (api/storefront_html/), but
# not before the page's `load` event: the app's stylesheet did not hold the first paint
# back, and the page must not show before it applies (loaded or failed, it has settled by
# then; the app's code normally starts only after that event anyway). And after a
# client-side navigation, keyboard and screen-reader focus moves to the new page's heading
# instead of staying on <body> (on the first page it stays where the browser put it).
FOCUS_CONTENT_SCRIPT = "document.getElementById('content').focus()"
PAGE_SHOWN_SCRIPT = """
const firstPaintGoes = () => {
  document.querySelectorAll('[data-first-paint]').forEach((e) => e.remove());
};
if (document.readyState === 'complete') firstPaintGoes();
else addEventListener('load', firstPaintGoes, {once: true});
if (window.__shopPageShown) {
  const heading = document.querySelector('main h1');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({preventScroll: true}); }
}
window.__shopPageShown = true;
"""


def shop_page(*children: rx.Component) -> rx.Component:
    return rx.box(
        rx.el.a(
            "Skip to content",
            href="#content",
            class_name="skip-link",
            # The router would take the #fragment for a navigation: focus the content here.
            on_click=[rx.prevent_default, rx.call_script(FOCUS_CONTENT_SCRIPT)],
        ),
        test_mode_banner(),
        header(),
        rx.el.main(
            *children,
            id="content",
            tab_index=-1,
            # True once the page's data has loaded: lets scripts and tests wait for it. Right
            # after a navigation the flag is still the previous page's until the server
            # starts this page's loads; the path says which page it is about.
            data_hydrated=rx.State.is_hydrated.to_string(),
            data_loaded_path=rx.State.router.url.path,
            max_width=CONTENT_MAX_WIDTH,
            margin="0 auto",
            padding=["16px", "16px", "24px"],
            width="100%",
            flex="1",
        ),
        footer(),
        # The server's snapshot of the page (api/storefront_html/) covered the page until
        # now: once this page's data has loaded, it goes, and the page shows in its place.
        rx.cond(
            rx.State.is_hydrated,
            rx.box(on_mount=rx.call_script(PAGE_SHOWN_SCRIPT), display="none"),
        ),
        min_height="100vh",
        display="flex",
        flex_direction="column",
    )
