"""Admin stock locations (`/admin/locations`): the warehouses and stores that hold stock,
in the order orders draw from them, which sell online, and how much each holds; add one
or change one (inventory permission; the service checks it again)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.inventory import locations
from ui.access import requires
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table


@dataclasses.dataclass(frozen=True)
class LocationRow:
    id: str
    name: str
    address: str
    sells_online: bool
    priority: int
    units: int


@dataclasses.dataclass(frozen=True)
class LocationForm:
    """The form's starting values: empty for a new location, else the one edited."""

    name: str = ""
    line1: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    priority: str = ""
    sells_online: bool = True


class LocationsState(AdminState):
    permission: ClassVar[Permission] = Permission.INVENTORY

    rows: list[LocationRow] = []
    editing: str = ""  # the id of the location in the form ("": a new one)
    form: LocationForm = LocationForm()
    form_version: int = 0
    message: str = ""
    done: str = ""
    errors: dict[str, str] = {}

    async def _show(self) -> None:
        found = await locations.list_locations(actor=self.staff_viewer)
        self.rows = [
            LocationRow(str(r.id), r.name, r.address_line, r.sells_online, r.priority, r.units)
            for r in found
        ]
        if not self.editing:
            self.form = LocationForm(priority=str(max((r.priority for r in found), default=0) + 1))
        self.form_version += 1

    @rx.event
    async def load(self) -> None:
        self.editing, self.message, self.done, self.errors = "", "", "", {}
        await self._show()

    @rx.event
    @requires(Permission.INVENTORY)
    async def edit(self, location_id: str) -> None:
        found = next(
            (
                r
                for r in await locations.list_locations(actor=self.staff_viewer)
                if str(r.id) == str(location_id)[:36]
            ),
            None,
        )
        if found is None:
            return
        self.editing, self.message, self.done, self.errors = str(found.id), "", "", {}
        self.form = LocationForm(
            name=found.name,
            line1=found.address.get("line1", ""),
            city=found.address.get("city", ""),
            postal_code=found.address.get("postal_code", ""),
            country=found.address.get("country", ""),
            priority=str(found.priority),
            sells_online=found.sells_online,
        )
        self.form_version += 1

    @rx.event
    @requires(Permission.INVENTORY)
    async def cancel_edit(self) -> None:
        self.editing, self.errors, self.message = "", {}, ""
        await self._show()

    @rx.event
    @requires(Permission.INVENTORY)
    async def save(self, form_data: dict[str, object]) -> None:
        self.message, self.done = "", ""
        data = {key: str(value)[:200] for key, value in form_data.items()}
        try:
            if self.editing:
                await locations.update_location(
                    uuid.UUID(self.editing), data, actor=self.staff_viewer
                )
                done = f"{data.get('name', '').strip()} saved."
            else:
                await locations.create_location(data, actor=self.staff_viewer)
                done = f"{data.get('name', '').strip()} added."
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        self.editing, self.errors, self.done = "", {}, done
        await self._show()


def _row(row: rx.Var[LocationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.priority, text_align="right"),
        rx.table.cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.address),
        rx.table.cell(
            rx.cond(
                row.sells_online,
                rx.badge("Sells online", color_scheme="grass"),
                rx.badge("Not online", color_scheme="gray"),
            )
        ),
        rx.table.cell(row.units, text_align="right"),
        rx.table.cell(
            rx.button(
                "Edit",
                variant="soft",
                size="1",
                on_click=LocationsState.edit(row.id),
                aria_label="Edit " + row.name,
            )
        ),
    )


def _field(label: str, name: str, value: rx.Var[str], **props: object) -> rx.Component:
    return labelled_input(
        label, name, LocationsState.errors.get(name, ""), default_value=value, **props
    )


def _form() -> rx.Component:
    state = LocationsState
    form = state.form
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(state.editing != "", "Change " + form.name, "Add a location"),
                size="3",
                as_="h2",
            ),
            form_alert(state.message),
            _field("Name", "name", form.name, max_length=80),
            rx.grid(
                _field("Street", "line1", form.line1),
                _field("City", "city", form.city),
                _field("Postal code", "postal_code", form.postal_code),
                _field("Country", "country", form.country, hint="e.g. US"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _field(
                "Priority",
                "priority",
                form.priority,
                input_mode="numeric",
                hint="Orders take stock from 1 first, then 2, …",
            ),
            rx.el.label(
                rx.checkbox(name="sells_online", default_checked=form.sells_online),
                rx.text("Sells online: its stock is what the storefront sells", size="2"),
                display="flex",
                gap="8px",
                align_items="center",
            ),
            rx.cond(
                state.errors.get("sells_online", "") != "",
                rx.text(
                    state.errors.get("sells_online", ""),
                    color_scheme="tomato",
                    size="2",
                    role="alert",
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.cond(state.editing != "", "Save location", "Add location"), type="submit"
                ),
                rx.cond(
                    state.editing != "",
                    rx.button("Cancel", type="button", variant="soft", on_click=state.cancel_edit),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
            max_width="640px",
        ),
        key=state.form_version.to_string(),
        on_submit=state.save,
        reset_on_submit=False,
        width="100%",
    )


def locations_page() -> rx.Component:
    return admin_page(
        "Stock locations",
        rx.vstack(
            rx.text(
                "Where stock is kept. Orders take it from the locations that sell online, "
                "lowest priority number first, and from the next when one runs out. Move "
                "stock between locations on the Inventory page.",
                color_scheme="gray",
                size="2",
            ),
            success_note(LocationsState.done),
            data_table(
                (
                    ("Priority", "right"),
                    "Name",
                    "Address",
                    "Online",
                    ("Units", "right"),
                    "Change",
                ),
                LocationsState.rows,
                _row,
            ),
            _form(),
            spacing="4",
            width="100%",
        ),
        permission=Permission.INVENTORY,
    )
