"""The two pages behind the links in a cart reminder: restore the cart, unsubscribe.

The token in the link is the only credential (signed, expiring, one purpose each); the
services check it. Restoring fills this browser's own cart, whoever opens the link.
"""

from __future__ import annotations

import reflex as rx

from backend.cart import queries as cart_queries
from backend.cart_recovery import opt_outs
from backend.cart_recovery import restore as cart_restore
from backend.core.errors import DomainError
from storefront.components.layout import shop_page
from storefront.pages.cart import CartState, cart_contents
from ui.access import PublicState

MAX_TOKEN_LENGTH = 1000


class RestoreCartState(PublicState):
    outcome: str = "checking"  # checking | restored | partly | invalid
    message: str = ""

    @rx.event
    async def load(self) -> None:
        token = (self.router.url.query_parameters.get("token") or "").strip()
        owner = self._cart_owner()
        if owner is None:  # no cart cookie yet: only a page load sets it
            self.outcome, self.message = "invalid", "Reload this page to restore your cart."
            return
        try:
            result = await cart_restore.restore_cart(token[:MAX_TOKEN_LENGTH], owner)
        except DomainError as error:
            self.outcome, self.message = "invalid", error.message
        else:
            self.outcome = "partly" if result.unavailable else "restored"
            self.message = result.message
        cart_state = await self.get_state(CartState)
        # The restored cart is shown in the cart page's own view of it.
        await cart_state._show(await cart_queries.get_cart(owner))


def restore_cart_page() -> rx.Component:
    state = RestoreCartState
    return shop_page(
        rx.vstack(
            rx.heading("Your cart", size="7", as_="h1"),
            rx.match(
                state.outcome,
                (
                    "restored",
                    rx.callout(
                        state.message, icon="circle-check", color_scheme="grass", role="status"
                    ),
                ),
                (
                    "partly",
                    rx.callout(state.message, icon="info", color_scheme="amber", role="status"),
                ),
                (
                    "invalid",
                    rx.callout(
                        state.message, icon="triangle-alert", color_scheme="tomato", role="alert"
                    ),
                ),
                rx.hstack(rx.spinner(), rx.text("Restoring your cart…")),
            ),
            rx.cond(state.outcome != "checking", cart_contents()),
            spacing="4",
            width="100%",
        )
    )


class UnsubscribeState(PublicState):
    outcome: str = "checking"  # checking | done | invalid
    email: str = ""

    @rx.event
    async def load(self) -> None:
        token = (self.router.url.query_parameters.get("token") or "").strip()
        email = await opt_outs.unsubscribe(token[:MAX_TOKEN_LENGTH])
        self.outcome, self.email = ("done", email) if email else ("invalid", "")


def unsubscribe_page() -> rx.Component:
    state = UnsubscribeState
    return shop_page(
        rx.center(
            rx.card(
                rx.match(
                    state.outcome,
                    (
                        "done",
                        rx.vstack(
                            rx.heading("You are unsubscribed", size="6", as_="h1"),
                            rx.text(
                                "We will send no more cart reminders to ",
                                rx.text.strong(state.email),
                                ". Order e-mails still arrive as usual.",
                            ),
                            rx.text(
                                "Signed in, you can turn reminders back on in your account.",
                                size="2",
                                color_scheme="gray",
                            ),
                            rx.link("Continue shopping", href="/"),
                            spacing="3",
                        ),
                    ),
                    (
                        "invalid",
                        rx.vstack(
                            rx.heading("This link does not work", size="6", as_="h1"),
                            rx.text(
                                "It may be incomplete or too old. Signed in, you can turn "
                                "cart reminders off in your account."
                            ),
                            rx.link("Your account", href="/account"),
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
