"""Back-in-stock notices in the storefront: the "E-mail me when available" box on an
out-of-stock product page, and the pages behind the e-mailed confirm and cancel links.

Signed-in shoppers subscribe with one click (their account's address); guests type an
address and must confirm it. The services decide everything; this only passes input on.
"""

from __future__ import annotations

import uuid

import reflex as rx

from backend.core.errors import DomainError
from backend.stock_notices import queries as stock_notice_queries
from backend.stock_notices import services as stock_notices
from storefront.components.layout import shop_page
from ui.access import PublicState, SessionState
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note

MAX_TOKEN_LENGTH = stock_notices.MAX_TOKEN_LENGTH


def _uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


class BackInStockState(PublicState):
    """The notify box of the product page shown now."""

    variant_id: str = ""  # a product without options has one, under the product's id
    waiting: bool = False  # the signed-in viewer is subscribed to this variant
    done: str = ""
    message: str = ""
    errors: dict[str, str] = {}

    @rx.event
    async def load(self, variant_id: str, in_stock: bool) -> None:
        """Called by the product page once its product is known, and again when the
        shopper chooses another size or colour."""
        self.done, self.message, self.errors = "", "", {}
        found = _uuid(variant_id)
        self.variant_id = str(found) if found else ""
        viewer = self.viewer
        self.waiting = bool(
            found
            and viewer is not None
            and in_stock is not True
            and await stock_notice_queries.is_waiting(found, viewer)
        )

    @rx.event
    async def subscribe_me(self) -> None:
        viewer, found = self.viewer, _uuid(self.variant_id)
        if found is None:
            return
        if viewer is None:
            self.message = "Sign in, or enter your e-mail address below."
            return
        try:
            result = await stock_notices.subscribe_viewer(found, viewer)
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        self.waiting, self.done, self.message = True, result.message, ""

    @rx.event
    async def subscribe_guest(self, form_data: dict[str, object]) -> None:
        found = _uuid(self.variant_id)
        if found is None:
            return
        email = str(form_data.get("email") or "")[: stock_notices.MAX_EMAIL_LENGTH + 1]
        try:
            result = await stock_notices.subscribe_guest(found, email, ip=self.client_address)
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            self.done = ""
            return
        self.done, self.message, self.errors = result.message, "", {}

    @rx.event
    async def cancel_mine(self) -> None:
        viewer, found = self.viewer, _uuid(self.variant_id)
        if viewer is None or found is None:
            return
        await stock_notices.cancel_for_viewer(found, viewer)
        self.waiting, self.done = False, "Cancelled: we will not e-mail you about it."


def notify_box() -> rx.Component:
    """For an out-of-stock product (the product page shows it only then)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("bell-ring", size=18, color=rx.color("accent", 10)),
                rx.heading("E-mail me when available", size="3", as_="h2"),
                spacing="2",
                align="center",
            ),
            success_note(BackInStockState.done),
            form_alert(BackInStockState.message),
            rx.cond(
                SessionState.signed_in,
                rx.cond(
                    BackInStockState.waiting,
                    rx.hstack(
                        rx.text("You will get one e-mail when it is back.", size="2"),
                        rx.button(
                            "Cancel notice",
                            variant="ghost",
                            color_scheme="gray",
                            on_click=BackInStockState.cancel_mine,
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.vstack(
                        rx.text(
                            "We send one e-mail to your account's address when it is back.",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.button(
                            rx.icon("mail", size=16),
                            "E-mail me when available",
                            on_click=BackInStockState.subscribe_me,
                        ),
                        spacing="2",
                        align="start",
                    ),
                ),
                rx.cond(
                    BackInStockState.done == "",
                    rx.form(
                        rx.vstack(
                            rx.text(
                                "Enter your address: we send a link to confirm it, then one "
                                "e-mail when it is back.",
                                size="2",
                                color_scheme="gray",
                            ),
                            labelled_input(
                                "Your e-mail address",
                                "email",
                                BackInStockState.errors.get("email", ""),
                                type="email",
                                auto_complete="email",
                                max_length=254,
                                required=True,
                            ),
                            rx.button(
                                rx.icon("mail", size=16), "E-mail me when available", type="submit"
                            ),
                            spacing="2",
                            align="start",
                            width="100%",
                        ),
                        on_submit=BackInStockState.subscribe_guest,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        max_width="420px",
    )


class StockNoticeLinkState(PublicState):
    """The pages behind the e-mailed links (confirm, cancel)."""

    outcome: str = "checking"  # checking | done | invalid
    product_name: str = ""
    product_url: str = ""

    async def _use(self, confirm: bool) -> None:
        token = str(self.router.url.query_parameters.get("token") or "").strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            self.outcome = "invalid"
            return
        use = stock_notices.confirm_subscription if confirm else stock_notices.cancel_by_token
        result = await use(token)
        self.outcome = "done" if result.ok else "invalid"
        self.product_name, self.product_url = result.product_name, result.product_url

    @rx.event
    async def load_confirm(self) -> None:
        await self._use(confirm=True)

    @rx.event
    async def load_cancel(self) -> None:
        await self._use(confirm=False)


def _link_page(title: str, done_text: rx.Component, invalid_text: str) -> rx.Component:
    return shop_page(
        rx.center(
            rx.card(
                rx.match(
                    StockNoticeLinkState.outcome,
                    (
                        "done",
                        rx.vstack(
                            rx.heading(title, size="6", as_="h1"),
                            done_text,
                            rx.link(
                                StockNoticeLinkState.product_name,
                                href=StockNoticeLinkState.product_url,
                            ),
                            spacing="3",
                        ),
                    ),
                    (
                        "invalid",
                        rx.vstack(
                            rx.heading("This link does not work", size="6", as_="h1"),
                            rx.text(invalid_text),
                            rx.link("Back to the shop", href="/"),
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


def confirm_notice_page() -> rx.Component:
    return _link_page(
        "You are on the list",
        rx.text(
            "Thank you: we will send you one e-mail when ",
            StockNoticeLinkState.product_name,
            " is back in stock.",
        ),
        "It may have been used already or have expired. Ask again on the product page.",
    )


def cancel_notice_page() -> rx.Component:
    return _link_page(
        "Notice cancelled",
        rx.text("We will not e-mail you about ", StockNoticeLinkState.product_name, "."),
        "There is nothing to cancel: the request was already closed or cancelled.",
    )
