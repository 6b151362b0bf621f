"""Create an account: validated on the server, confirmed by an e-mailed link. The page
answers the same for an address that already has an account (no enumeration)."""

from __future__ import annotations

import reflex as rx

from backend.accounts import registration
from backend.accounts.password_policy import MIN_PASSWORD_LENGTH
from backend.core.errors import DomainError
from storefront.components.layout import shop_page
from ui.access import PublicState
from ui.errors import form_feedback
from ui.forms import form_alert, form_card, labelled_input

FIELDS = ("username", "email", "password", "first_name", "last_name")


class SignUpState(PublicState):
    errors: dict[str, str] = {}
    message: str = ""
    registered_email: str = ""

    @rx.event
    def reset_form(self) -> None:
        self.errors, self.message, self.registered_email = {}, "", ""

    @rx.event
    async def submit(self, form_data: dict[str, object]) -> None:
        data = {field: str(form_data.get(field) or "") for field in FIELDS}
        try:
            email = await registration.register(data, ip=self.client_address)
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        # The same answer whether or not the address has an account (its owner is told
        # by e-mail), so the form says nothing about who shops here.
        self.errors, self.message = {}, ""
        self.registered_email = email


def _form() -> rx.Component:
    errors = SignUpState.errors
    return rx.form(
        rx.vstack(
            form_alert(SignUpState.message),
            rx.grid(
                labelled_input(
                    "First name",
                    "first_name",
                    errors.get("first_name", ""),
                    auto_complete="given-name",
                ),
                labelled_input(
                    "Last name",
                    "last_name",
                    errors.get("last_name", ""),
                    auto_complete="family-name",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            labelled_input(
                "Username",
                "username",
                errors.get("username", ""),
                auto_complete="username",
                required=True,
            ),
            labelled_input(
                "E-mail",
                "email",
                errors.get("email", ""),
                type="email",
                auto_complete="email",
                required=True,
            ),
            labelled_input(
                "Password",
                "password",
                errors.get("password", ""),
                type="password",
                auto_complete="new-password",
                required=True,
                hint=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated "
                "words make a strong, memorable password.",
            ),
            rx.button("Create account", type="submit", size="3", width="100%"),
            rx.text("Already have an account? ", rx.link("Sign in", href="/sign-in"), size="2"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignUpState.submit,
        reset_on_submit=False,
        width="100%",
    )


def sign_up_page() -> rx.Component:
    return shop_page(
        rx.cond(
            SignUpState.registered_email != "",
            form_card(
                "Check your inbox",
                rx.text(
                    "We sent an e-mail to ",
                    rx.text.strong(SignUpState.registered_email),
                    ". Open the link in it to activate your account, then sign in.",
                ),
                rx.text(
                    "Already have an account with this address? Then the e-mail tells "
                    "you how to sign in instead.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.link("Go to sign-in", href="/sign-in"),
            ),
            form_card("Create your account", _form()),
        )
    )
