"""Forgot password (ask for a link) and reset password (the page behind the link)."""

from __future__ import annotations

import reflex as rx

from backend.accounts import email_links
from backend.accounts.inputs import normalize_email
from backend.accounts.password_policy import MIN_PASSWORD_LENGTH
from backend.core.errors import DomainError
from storefront.components.layout import shop_page
from ui.access import PublicState
from ui.errors import form_feedback
from ui.forms import form_alert, form_card, labelled_input, success_note

MAX_TOKEN_LENGTH = 200


class ForgotPasswordState(PublicState):
    email_error: str = ""
    sent_to: str = ""

    @rx.event
    def reset_form(self) -> None:
        self.email_error, self.sent_to = "", ""

    @rx.event
    async def submit(self, form_data: dict[str, object]) -> None:
        raw = str(form_data.get("email") or "")
        try:
            email = normalize_email(raw)
        except ValueError as error:
            self.email_error = str(error)
            return
        await email_links.request_password_reset(email, ip=self.client_address)
        # The same answer whether or not the address has an account.
        self.email_error, self.sent_to = "", email


class ResetPasswordState(PublicState):
    password_error: str = ""
    message: str = ""
    done: bool = False
    _token: str = ""

    @rx.event
    def load(self) -> None:
        self._token = (self.router.url.query_parameters.get("token") or "")[:MAX_TOKEN_LENGTH]
        self.password_error, self.done = "", False
        self.message = "" if self._token else email_links.INVALID_LINK_MESSAGE

    @rx.event
    async def submit(self, form_data: dict[str, object]) -> None:
        password = str(form_data.get("password") or "")
        if password != str(form_data.get("password_again") or ""):
            self.password_error = "The two passwords are not the same."
            return
        try:
            await email_links.reset_password(self._token, password)
        except DomainError as error:
            self.message, fields = form_feedback(error)
            self.password_error = fields.get("password", "")
            return
        self.password_error, self.message, self.done = "", "", True


def forgot_password_page() -> rx.Component:
    return shop_page(
        form_card(
            "Forgot your password?",
            rx.cond(
                ForgotPasswordState.sent_to != "",
                rx.vstack(
                    success_note(
                        "If an account exists for "
                        + ForgotPasswordState.sent_to
                        + ", we have e-mailed it a link to choose a new password. "
                        "The link works for one hour."
                    ),
                    rx.link("Back to sign-in", href="/sign-in"),
                    spacing="3",
                ),
                rx.form(
                    rx.vstack(
                        rx.text(
                            "Enter your e-mail address and we will send you a link to "
                            "choose a new password.",
                            size="2",
                        ),
                        labelled_input(
                            "E-mail",
                            "email",
                            ForgotPasswordState.email_error,
                            type="email",
                            auto_complete="email",
                            required=True,
                        ),
                        rx.button("Send the link", type="submit", size="3", width="100%"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=ForgotPasswordState.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
            ),
        )
    )


def reset_password_page() -> rx.Component:
    return shop_page(
        form_card(
            "Choose a new password",
            rx.cond(
                ResetPasswordState.done,
                rx.vstack(
                    success_note("Your password is changed. Sign in with the new one."),
                    rx.link(rx.button("Sign in"), href="/sign-in"),
                    spacing="3",
                ),
                rx.form(
                    rx.vstack(
                        form_alert(ResetPasswordState.message),
                        labelled_input(
                            "New password",
                            "password",
                            ResetPasswordState.password_error,
                            type="password",
                            auto_complete="new-password",
                            required=True,
                            hint=f"At least {MIN_PASSWORD_LENGTH} characters.",
                        ),
                        labelled_input(
                            "New password again",
                            "password_again",
                            "",
                            type="password",
                            auto_complete="new-password",
                            required=True,
                        ),
                        rx.button("Save the new password", type="submit", size="3", width="100%"),
                        rx.link("Ask for a new link", href="/forgot-password", size="2"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=ResetPasswordState.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
            ),
        )
    )
