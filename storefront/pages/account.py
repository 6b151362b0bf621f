"""The shopper's account: profile, password, address book, and their data (download it,
erase the account). Signed-in shoppers only.

Every handler acts on the server-side viewer's own account; ids from the browser only
pick among that viewer's addresses (the service refuses anyone else's).
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import reflex as rx

from backend.accounts import addresses, password_changes, profiles
from backend.accounts.schemas import SavedAddress
from backend.cart_recovery import opt_outs as cart_reminder_opt_outs
from backend.core.clock import utcnow
from backend.core.errors import DomainError
from backend.privacy import erasure as privacy_erasure
from backend.privacy import export as privacy_export
from ui.access import SessionState, SignedInState
from ui.errors import form_feedback

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
    erase_errors: dict[str, str] = {}
    erase_message: str = ""

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
        self.erase_errors, self.erase_message = {}, ""
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
    async def download_my_data(self) -> rx.event.EventSpec:
        """Everything the shop holds about the viewer, as a JSON file."""
        viewer = self.viewer
        if viewer is None:  # the access guard lets only a signed-in viewer this far
            return rx.toast("Please sign in again.")
        document = await privacy_export.export_my_data(viewer)
        day = utcnow().date().isoformat()
        return rx.download(
            data=json.dumps(document, indent=2, ensure_ascii=False),
            filename=f"my-data-{day}.json",
        )

    @rx.event
    async def erase_account(self, form_data: dict[str, object]) -> list[rx.event.EventSpec] | None:
        """Erase the viewer's account (confirmed with their password), then leave as a
        guest."""
        self.erase_errors, self.erase_message = {}, ""
        viewer = self.viewer
        if viewer is None:
            return None
        try:
            await privacy_erasure.erase_my_account(
                viewer, password=str(form_data.get("password") or "")[:1000]
            )
        except DomainError as error:
            self.erase_message, self.erase_errors = form_feedback(error)
            return None
        session = await self.get_state(SessionState)
        await session._refresh_viewer(force=True)  # the session is gone: a guest now
        return [
            rx.toast("Your account and personal data are erased.", duration=6000),
            rx.redirect("/"),
        ]

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
        self.erase_errors, self.erase_message = {}, ""
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
