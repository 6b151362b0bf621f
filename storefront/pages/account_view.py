"""The account page: profile, e-mail settings, password, and the address book (state:
account.py)."""

from __future__ import annotations

import reflex as rx

from backend.accounts.password_policy import MIN_PASSWORD_LENGTH
from storefront.components.layout import shop_page
from storefront.pages.account import (
    AccountState,
    AddressCard,
)
from ui.access import SessionState
from ui.forms import form_alert, labelled_input, success_note


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
    )


def _profile_section() -> rx.Component:
    errors = AccountState.profile_errors
    return _section(
        "Profile",
        rx.text(
            "Signed in as ",
            rx.text.strong(AccountState.username),
            " · ",
            AccountState.email,
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                success_note(AccountState.profile_saved),
                rx.grid(
                    labelled_input(
                        "First name",
                        "first_name",
                        errors.get("first_name", ""),
                        default_value=AccountState.first_name,
                        auto_complete="given-name",
                    ),
                    labelled_input(
                        "Last name",
                        "last_name",
                        errors.get("last_name", ""),
                        default_value=AccountState.last_name,
                        auto_complete="family-name",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.button("Save profile", type="submit"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=AccountState.save_profile,
            reset_on_submit=False,
            width="100%",
        ),
    )


def _emails_section() -> rx.Component:
    return _section(
        "E-mails",
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=AccountState.cart_reminders,
                    on_change=AccountState.set_cart_reminders,
                ),
                rx.text("Remind me about items left in my cart (one e-mail per cart)"),
                spacing="2",
                align="center",
            ),
        ),
        rx.text("Order and account e-mails always arrive.", size="2", color_scheme="gray"),
    )


def _password_section() -> rx.Component:
    errors = AccountState.password_errors
    return _section(
        "Password",
        rx.form(
            rx.vstack(
                success_note(AccountState.password_saved),
                form_alert(AccountState.password_message),
                labelled_input(
                    "Current password",
                    "current_password",
                    errors.get("current_password", ""),
                    type="password",
                    auto_complete="current-password",
                    required=True,
                ),
                labelled_input(
                    "New password",
                    "new_password",
                    errors.get("new_password", ""),
                    type="password",
                    auto_complete="new-password",
                    required=True,
                    hint=f"At least {MIN_PASSWORD_LENGTH} characters.",
                ),
                labelled_input(
                    "New password again",
                    "new_password_again",
                    errors.get("new_password_again", ""),
                    type="password",
                    auto_complete="new-password",
                    required=True,
                ),
                rx.button("Change password", type="submit"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=True,
            width="100%",
        ),
    )


def _data_section() -> rx.Component:
    return _section(
        "Your data",
        rx.text(
            "Download everything we hold about you (account, addresses, orders, reviews, "
            "wishlist, messages) as a JSON file.",
            size="2",
        ),
        rx.button(
            rx.icon("download", size=16),
            "Download my data",
            variant="soft",
            on_click=AccountState.download_my_data,
        ),
        rx.heading("Erase my account", size="3", as_="h3"),
        rx.text(
            "Your account, addresses, wishlist and saved requests are deleted and your name, "
            "e-mail, phone and addresses are removed from past orders, which we keep for our "
            "books without them. Your reviews stay, signed by no one. This cannot be undone.",
            size="2",
        ),
        rx.form(
            rx.vstack(
                form_alert(AccountState.erase_message),
                labelled_input(
                    "Your password, to confirm",
                    "password",
                    AccountState.erase_errors.get("password", ""),
                    id_prefix="erase-",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                ),
                rx.button("Erase my account", type="submit", color_scheme="tomato"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=AccountState.erase_account,
            reset_on_submit=True,
            width="100%",
        ),
    )


def _address_card(card: rx.Var[AddressCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card.full_name, weight="bold"),
                rx.cond(card.is_default, rx.badge("Default for shipping", color_scheme="grass")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(card.one_line, size="2"),
            rx.cond(card.phone != "", rx.text(card.phone, size="2", color_scheme="gray")),
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=AccountState.open_edit_address(card.id),
                ),
                rx.cond(
                    ~card.is_default,
                    rx.button(
                        "Make default",
                        size="1",
                        variant="soft",
                        on_click=AccountState.make_default(card.id),
                    ),
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=AccountState.delete_address(card.id),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
        ),
        width="100%",
    )


def _address_form() -> rx.Component:
    errors = AccountState.address_errors
    draft = AccountState.address_draft

    def field(label: str, name: str, **props: object) -> rx.Component:
        return labelled_input(
            label, name, errors.get(name, ""), default_value=draft.get(name, ""), **props
        )

    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(AccountState.editing_address_id != "", "Edit address", "New address"),
                size="3",
                as_="h3",
            ),
            form_alert(AccountState.address_message),
            field("Full name", "full_name", auto_complete="name", required=True),
            field("Address", "line1", auto_complete="address-line1", required=True),
            field("Address line 2 (optional)", "line2", auto_complete="address-line2"),
            rx.grid(
                field("Postal code", "postal_code", auto_complete="postal-code", required=True),
                field("City", "city", auto_complete="address-level2", required=True),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.grid(
                field("Region / state (optional)", "region", auto_complete="address-level1"),
                field(
                    "Country code",
                    "country",
                    auto_complete="country",
                    required=True,
                    max_length=2,
                    placeholder="US",
                    hint="Two letters, e.g. US, GB, DE",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            field("Phone (optional)", "phone", type="tel", auto_complete="tel"),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(name="is_default"),
                    rx.text("Use as my default shipping address", size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.hstack(
                rx.button("Save address", type="submit"),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AccountState.close_address_form,
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=AccountState.save_address,
        reset_on_submit=False,
        key=AccountState.editing_address_id,
        width="100%",
    )


def _addresses_section() -> rx.Component:
    return _section(
        "Addresses",
        rx.cond(
            AccountState.address_list.length() == 0,
            rx.text("No saved addresses yet. Add one to check out faster.", size="2"),
        ),
        rx.grid(
            rx.foreach(AccountState.address_list, _address_card),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.cond(
            AccountState.address_form_open,
            _address_form(),
            rx.button("Add an address", variant="soft", on_click=AccountState.open_new_address),
        ),
    )


def _sign_in_prompt() -> rx.Component:
    return rx.vstack(
        rx.heading("Your account", size="7", as_="h1"),
        rx.text("Sign in to see your profile, password and addresses."),
        rx.link(rx.button("Sign in"), href="/sign-in?next=/account"),
        spacing="3",
    )


def account_page() -> rx.Component:
    return shop_page(
        rx.cond(
            SessionState.signed_in,
            rx.vstack(
                rx.heading("Your account", size="7", as_="h1"),
                rx.cond(
                    AccountState.loaded,
                    rx.grid(
                        rx.vstack(
                            _profile_section(),
                            _password_section(),
                            _emails_section(),
                            spacing="4",
                            width="100%",
                        ),
                        rx.vstack(_addresses_section(), _data_section(), spacing="4", width="100%"),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.spinner(),
                ),
                spacing="4",
                width="100%",
            ),
            _sign_in_prompt(),
        )
    )
