"""Signing in and out, for the storefront's sign-in page and the admin gate alike.

The sign-in form posts to /auth/sign-in, which sets the HttpOnly session cookie; the sign-out
button posts to /auth/sign-out, which clears it.
"""

from __future__ import annotations

import reflex as rx

from backend.accounts import authentication, sign_in_limits
from ui.access import PublicState
from ui.native_form import native_form

SIGN_IN_ERRORS = {
    "invalid_credentials": authentication.SIGN_IN_FAILED_MESSAGE,
    "account_locked": sign_in_limits.locked_message(),
    "account_backed_off": sign_in_limits.backed_off_message(),
    "account_suspended": authentication.LOCKED_BY_STAFF_MESSAGE,
    "account_not_active": authentication.PENDING_MESSAGE,
    "too_many_attempts": "Too many sign-in attempts from your network. Wait a few minutes.",
    "missing": "Enter your e-mail address and your password.",
    "origin": "Your sign-in could not be verified. Reload the page and try again.",
}


class SignInState(PublicState):
    error_message: str = ""
    next_path: str = "/"

    @rx.event
    def load(self) -> None:
        params = self.router.url.query_parameters
        error = params.get("error", "")
        self.error_message = SIGN_IN_ERRORS.get(
            error, "Sign-in failed. Try again." if error else ""
        )
        self.next_path = params.get("next", "/") or "/"


def sign_in_form(
    *, form_page: str, next_path: rx.Var[str] | str, error: rx.Var[str]
) -> rx.Component:
    """Used by the storefront sign-in page and by the admin gate."""
    return native_form(
        rx.vstack(
            rx.cond(
                error != "",
                rx.callout(
                    error, icon="triangle-alert", color_scheme="tomato", role="alert", width="100%"
                ),
            ),
            rx.el.label(
                rx.text("E-mail", size="2", weight="medium"),
                rx.input(
                    name="email", type="email", required=True, auto_complete="username", size="3"
                ),
                width="100%",
            ),
            rx.el.label(
                rx.text("Password", size="2", weight="medium"),
                rx.input(
                    name="password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                    size="3",
                ),
                width="100%",
            ),
            rx.el.input(type="hidden", name="next", value=next_path),
            rx.el.input(type="hidden", name="form_page", value=form_page),
            rx.button("Sign in", type="submit", size="3", width="100%"),
            rx.link("Forgot your password?", href="/forgot-password", size="2"),
            spacing="4",
            width="100%",
        ),
        action="/auth/sign-in",
        method="post",
        width="100%",
    )


def sign_out_button(**props: object) -> rx.Component:
    """A real form post: only an HTTP response can clear the HttpOnly session cookie."""
    return native_form(
        rx.button("Sign out", type="submit", variant="soft", color_scheme="gray", **props),
        action="/auth/sign-out",
        method="post",
    )
