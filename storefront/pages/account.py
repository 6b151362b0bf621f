"""The shopper's account: profile, password and address book. Signed-in shoppers only.

Every handler acts on the server-side viewer's own account; ids from the browser only
pick among that viewer's addresses (the service refuses anyone else's).
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from backend.accounts import addresses, password_changes, profiles
from backend.accounts.password_policy import MIN_PASSWORD_LENGTH
from backend.accounts.schemas import SavedAddress
from backend.cart_recovery import opt_outs as cart_reminder_opt_outs
from backend.core.errors import DomainError
from storefront.components.layout import shop_page
from ui.access import SessionState, SignedInState
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note

ADDRESS_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
)


@dataclasses.dataclass(frozen=True)
class AddressCard:
    id: str
    full_name: str
    one_line: str
    phone: str
    is_default: bool
    values: dict[str, str]


def _card(saved: SavedAddress) -> AddressCard:
    values = {field: str(getattr(saved, field)) for field in ADDRESS_FIELDS}
    return AddressCard(
        id=str(saved.id),
        full_name=saved.full_name,
        one_line=saved.one_line,
        phone=saved.phone,
        is_default=saved.is_default,
        values=values,
    )


class AccountState(SignedInState):
    loaded: bool = False
    username: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    profile_errors: dict[str, str] = {}
    profile_saved: str = ""
    password_errors: dict[str, str] = {}
    password_message: str = ""
    password_saved: str = ""
    address_list: list[AddressCard] = []
    address_errors: dict[str, str] = {}
    address_message: str = ""
    editing_address_id: str = ""  # "" = adding a new address
    address_form_open: bool = False
    address_draft: dict[str, str] = {}
    cart_reminders: bool = True

    def _viewer_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.viewer_id)

    async def _reload_addresses(self) -> None:
        self.address_list = [_card(a) for a in await addresses.list_addresses(self._viewer_uuid())]

    @rx.event
    async def load(self) -> None:
        profile = await profiles.get_profile(self._viewer_uuid())
        self.username, self.email = profile.username, profile.email
        self.first_name, self.last_name = profile.first_name, profile.last_name
        self.profile_errors, self.profile_saved = {}, ""
        self.password_errors, self.password_message, self.password_saved = {}, "", ""
        self.address_form_open = False
        await self._reload_addresses()
        self.cart_reminders = await cart_reminder_opt_outs.reminders_wanted(self._viewer_uuid())
        self.loaded = True

    @rx.event
    async def set_cart_reminders(self, wanted: bool) -> rx.event.EventSpec:
        choice = wanted is True  # the browser sends anything: only a real true turns it on
        await cart_reminder_opt_outs.set_reminders_wanted(self._viewer_uuid(), wanted=choice)
        self.cart_reminders = choice
        return rx.toast(
            "Cart reminders are on." if choice else "No more cart reminders.", duration=2500
        )

    @rx.event
    async def save_profile(self, form_data: dict[str, object]) -> None:
        data = {key: str(form_data.get(key) or "") for key in ("first_name", "last_name")}
        try:
            profile = await profiles.update_profile(self._viewer_uuid(), data)
        except DomainError as error:
            _message, self.profile_errors = form_feedback(error)
            self.profile_saved = ""
            return
        self.first_name, self.last_name = profile.first_name, profile.last_name
        self.profile_errors, self.profile_saved = {}, "Your profile is saved."
        session = await self.get_state(SessionState)
        await session._refresh_viewer(force=True)  # the header shows the new name

    @rx.event
    async def change_password(self, form_data: dict[str, object]) -> None:
        new_password = str(form_data.get("new_password") or "")
        self.password_saved, self.password_message = "", ""
        if new_password != str(form_data.get("new_password_again") or ""):
            self.password_errors = {"new_password_again": "The two new passwords are not the same."}
            return
        try:
            await password_changes.change_password(
                self._viewer_uuid(),
                current_password=str(form_data.get("current_password") or ""),
                new_password=new_password,
                keep_session_token=self._current_session_token(),
            )
        except DomainError as error:
            self.password_message, self.password_errors = form_feedback(error)
            return
        self.password_errors = {}
        self.password_saved = "Your password is changed. You were signed out everywhere else."

    @rx.event
    def open_new_address(self) -> None:
        self.editing_address_id, self.address_draft = "", {}
        self.address_errors, self.address_message = {}, ""
        self.address_form_open = True

    @rx.event
    def open_edit_address(self, address_id: str) -> None:
        card = next((a for a in self.address_list if a.id == str(address_id)), None)
        if card is None:
            return
        self.editing_address_id, self.address_draft = card.id, dict(card.values)
        self.address_errors, self.address_message = {}, ""
        self.address_form_open = True

    @rx.event
    def close_address_form(self) -> None:
        self.address_form_open = False

    @rx.event
    async def save_address(self, form_data: dict[str, object]) -> None:
        data: dict[str, object] = {
            field: str(form_data.get(field) or "") for field in ADDRESS_FIELDS
        }
        data["is_default"] = bool(form_data.get("is_default"))
        try:
            if self.editing_address_id:
                await addresses.update_address(
                    self._viewer_uuid(), uuid.UUID(self.editing_address_id), data
                )
            else:
                await addresses.add_address(self._viewer_uuid(), data)
        except DomainError as error:
            self.address_message, self.address_errors = form_feedback(error)
            return
        self.address_form_open = False
        await self._reload_addresses()

    async def _on_address(self, address_id: str, action: str) -> rx.event.EventSpec | None:
        try:
            target = uuid.UUID(str(address_id))
            if action == "delete":
                await addresses.delete_address(self._viewer_uuid(), target)
            else:
                await addresses.set_default_address(self._viewer_uuid(), target)
        except (ValueError, DomainError):
            return rx.toast.error("That address is not in your address book.")
        await self._reload_addresses()
        return None

    @rx.event
    async def delete_address(self, address_id: str) -> rx.event.EventSpec | None:
        return await self._on_address(address_id, "delete")

    @rx.event
    async def make_default(self, address_id: str) -> rx.event.EventSpec | None:
        return await self._on_address(address_id, "default")


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
                        _addresses_section(),
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
