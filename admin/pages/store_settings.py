"""Admin → Settings: the shop's name and how amounts are written, its legal details, e-mail
addresses, order-number prefix and timings. Admins only; the service checks the role
again, validates each field and writes the audit log. A change is in force within a
second on every web process and worker."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.clock import time_zones
from backend.core.errors import DomainError
from backend.core.money import DISPLAY_LOCALES, display_locale_label
from backend.core.validation import parse_input
from backend.settings import get_settings
from backend.shop_settings import services as shop_settings
from backend.shop_settings.values import store_settings
from ui.errors import form_feedback
from ui.forms import bound_input, form_alert, labelled_select, success_note
from ui.shop_identity import ShopIdentityState

TEXT_FIELDS = (
    "shop_name",
    "money_locale",
    "time_zone",
    "legal_name",
    "legal_address",
    "vat_number",
    "sender",
    "support_email",
    "order_number_prefix",
)
NUMBER_FIELDS = (
    "order_payment_timeout_minutes",
    "return_window_days",
    "cart_reminder_after_minutes",
)


class StoreSettingsState(AdminState):
    permission: ClassVar[Permission] = Permission.SETTINGS

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0
    # (locale, "German (Germany): 1.234,50 €") in the shop's currency.
    money_formats: list[tuple[str, str]] = []
    time_zones: list[tuple[str, str]] = []
    currency: str = ""

    async def _show(self) -> None:
        current = await store_settings()
        self.currency = get_settings().shop_currency
        self.money_formats = [
            (locale, display_locale_label(locale, self.currency)) for locale in DISPLAY_LOCALES
        ]
        self.time_zones = [(zone, zone.replace("_", " ")) for zone in time_zones()]
        self.values = {name: str(getattr(current, name)) for name in TEXT_FIELDS + NUMBER_FIELDS}
        self.form_version += 1

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        await self._show()

    @rx.event
    async def save(self, form_data: dict[str, str]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        data = {
            name: str(form_data.get(name) or "").strip()[:2000]
            for name in TEXT_FIELDS + NUMBER_FIELDS
        }
        self.values = data
        try:
            saved = await shop_settings.update_store_settings(
                parse_input(shop_settings.StoreSettingsInput, data), actor=self.staff_viewer
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        self.done = "Settings saved: in force on every page and e-mail within a second."
        # This tab's own sidebar shows a new name at once.
        (await self.get_state(ShopIdentityState)).shop_name = saved.shop_name
        await self._show()


def _money_format_select() -> rx.Component:
    return labelled_select(
        "How amounts are written",
        "money_locale",
        StoreSettingsState.money_formats,
        value=StoreSettingsState.values["money_locale"],
        error=StoreSettingsState.errors.get("money_locale", ""),
        hint="Prices are in "
        + StoreSettingsState.currency
        + ", set when the shop was installed (SHOP_CURRENCY).",
    )


def _time_zone_select() -> rx.Component:
    return labelled_select(
        "Time zone",
        "time_zone",
        StoreSettingsState.time_zones,
        value=StoreSettingsState.values["time_zone"],
        error=StoreSettingsState.errors.get("time_zone", ""),
        hint="Times you type and read here (a collection's dates) are in this zone.",
    )


def store_settings_page() -> rx.Component:
    field = partial(
        bound_input,
        errors=StoreSettingsState.errors,
        values=StoreSettingsState.values,
        id_prefix="settings-",
    )
    grid = partial(rx.grid, columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%")
    return admin_page(
        "Settings",
        rx.form(
            rx.vstack(
                form_alert(StoreSettingsState.message),
                success_note(StoreSettingsState.done),
                rx.heading("Shop", size="3", as_="h2"),
                grid(
                    field(
                        "Shop name",
                        "shop_name",
                        hint="In the header, page titles and e-mails",
                    ),
                    _money_format_select(),
                    _time_zone_select(),
                ),
                rx.heading("Business", size="3", as_="h2"),
                rx.text(
                    "Shown at the foot of every e-mail. The countries sold to are the shipping "
                    "zones' (Shipping).",
                    size="2",
                    color_scheme="gray",
                ),
                grid(
                    field("Legal name", "legal_name", hint="e.g. Kestrel Goods Ltd"),
                    field("VAT number", "vat_number", hint="e.g. GB123456789"),
                ),
                field(
                    "Legal address",
                    "legal_address",
                    hint="One line, e.g. 1 Market Street, Leeds LS1 4AB, United Kingdom",
                ),
                rx.heading("E-mail", size="3", as_="h2"),
                grid(
                    field("Sender", "sender", hint="Kestrel Goods <shop@example.com>"),
                    field(
                        "Support e-mail (optional)",
                        "support_email",
                        hint="Replies to the shop's e-mails go here",
                    ),
                ),
                rx.heading("Orders", size="3", as_="h2"),
                grid(
                    field(
                        "Order-number prefix", "order_number_prefix", hint="1–6 letters, e.g. KG"
                    ),
                    field(
                        "Unpaid orders are cancelled after (minutes)",
                        "order_payment_timeout_minutes",
                        input_mode="numeric",
                    ),
                    field(
                        "Return window (days after delivery)",
                        "return_window_days",
                        hint="0 turns self-service returns off",
                        input_mode="numeric",
                    ),
                    field(
                        "Cart reminder after (minutes)",
                        "cart_reminder_after_minutes",
                        hint="One e-mail for a cart left this long",
                        input_mode="numeric",
                    ),
                ),
                rx.button("Save settings", type="submit"),
                spacing="3",
                width="100%",
                max_width="880px",
            ),
            key=StoreSettingsState.form_version.to_string(),
            on_submit=StoreSettingsState.save,
            reset_on_submit=False,
            width="100%",
        ),
        permission=Permission.SETTINGS,
    )
