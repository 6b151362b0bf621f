"""Staff groups: what each group may do and who belongs to it. The list of groups, an editor
(name, description, a checkbox per permission), its members (add by e-mail, remove), and
deleting the shop's own groups. The staff permission; the service checks it again, audits
every change and refuses what would lock the shop out."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts import staff_groups
from backend.accounts.permissions import PERMISSION_DESCRIPTIONS, PERMISSION_LABELS, Permission
from backend.core.errors import DomainError, NotFoundError
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table

PERMISSION_FIELD = "permission:"


@dataclasses.dataclass(frozen=True)
class GroupRow:
    id: str
    name: str
    built_in: bool
    permissions: str
    members: int


@dataclasses.dataclass(frozen=True)
class PermissionChoice:
    value: str
    label: str
    description: str
    checked: bool


@dataclasses.dataclass(frozen=True)
class MemberRow:
    user_id: str
    name: str
    email: str
    url: str


def _labels(permissions: tuple[Permission, ...]) -> str:
    return ", ".join(PERMISSION_LABELS[permission] for permission in permissions) or "nothing"


def _choices(held: frozenset[Permission]) -> list[PermissionChoice]:
    return [
        PermissionChoice(
            value=permission.value,
            label=PERMISSION_LABELS[permission],
            description=PERMISSION_DESCRIPTIONS[permission],
            checked=permission in held,
        )
        for permission in Permission
    ]


class StaffGroupsState(AdminState):
    permission: ClassVar[Permission] = Permission.STAFF

    groups: list[GroupRow] = []
    # The editor: "" for a new group.
    editing_id: str = ""
    editing_name: str = ""
    editing_description: str = ""
    editing_built_in: bool = False
    editing_everything: bool = False  # the Administrators group: permissions fixed
    choices: list[PermissionChoice] = _choices(frozenset())
    members: list[MemberRow] = []
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0  # remounts the editor's uncontrolled fields

    async def _reload(self) -> None:
        self.groups = [
            GroupRow(
                id=str(group.id),
                name=group.name,
                built_in=group.is_built_in,
                permissions=_labels(group.permissions),
                members=group.member_count,
            )
            for group in await staff_groups.list_groups(self.staff_viewer)
        ]

    def _new_group(self) -> None:
        self.editing_id, self.editing_name, self.editing_description = "", "", ""
        self.editing_built_in = self.editing_everything = False
        self.choices, self.members = _choices(frozenset()), []
        self.form_version += 1

    async def _open(self, group_id: uuid.UUID) -> None:
        group = await staff_groups.get_group(self.staff_viewer, group_id)
        self.editing_id, self.editing_name = str(group.id), group.name
        self.editing_description = group.description
        self.editing_built_in = group.is_built_in
        self.editing_everything = group.key == "administrators"
        self.choices = _choices(frozenset(group.permissions))
        self.members = [
            MemberRow(
                user_id=str(member.user_id),
                name=member.name,
                email=member.email,
                url=f"/admin/accounts/{member.user_id}",
            )
            for member in group.members
        ]
        self.form_version += 1

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        self._new_group()
        await self._reload()

    @rx.event
    async def edit(self, group_id: str) -> None:
        self.errors, self.message, self.done = {}, "", ""
        try:
            await self._open(uuid.UUID(str(group_id)[:36]))
        except (ValueError, NotFoundError):
            self.message = "There is no such staff group."

    @rx.event
    def new_group(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        self._new_group()

    @rx.event
    async def save(self, form_data: dict[str, object]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        chosen = [
            name.removeprefix(PERMISSION_FIELD)
            for name, value in form_data.items()
            if name.startswith(PERMISSION_FIELD) and value == "on"
        ]
        if self.editing_everything:  # its boxes are disabled, so the browser sends none
            chosen = [permission.value for permission in Permission]
        try:
            data = staff_groups.parse_group_input(
                str(form_data.get("name") or "")[:200],
                str(form_data.get("description") or "")[:1000],
                chosen,
            )
            if self.editing_id:
                group_id = uuid.UUID(self.editing_id)
                await staff_groups.update_group(self.staff_viewer, group_id, data)
            else:
                group_id = await staff_groups.create_group(self.staff_viewer, data)
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        await self._open(group_id)
        await self._reload()
        self.done = f"“{data.name}” saved."

    @rx.event
    async def delete(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        if not self.editing_id:
            return
        name = self.editing_name
        try:
            await staff_groups.delete_group(self.staff_viewer, uuid.UUID(self.editing_id))
        except DomainError as error:
            self.message = error.message
            return
        self._new_group()
        await self._reload()
        self.done = f"“{name}” deleted; its members lost what it allowed."

    @rx.event
    async def add_member(self, form_data: dict[str, object]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        if not self.editing_id:
            return
        try:
            name = await staff_groups.add_member_by_email(
                self.staff_viewer,
                uuid.UUID(self.editing_id),
                str(form_data.get("email") or "")[:255],
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        await self._open(uuid.UUID(self.editing_id))
        await self._reload()
        self.done = f"{name} added to “{self.editing_name}”."

    @rx.event
    async def remove_member(self, user_id: str) -> None:
        self.errors, self.message, self.done = {}, "", ""
        if not self.editing_id:
            return
        try:
            await staff_groups.set_membership(
                self.staff_viewer,
                uuid.UUID(str(user_id)[:36]),
                uuid.UUID(self.editing_id),
                member=False,
            )
        except ValueError:
            self.message = "That request was not understood."
            return
        except DomainError as error:
            self.message = error.message
            return
        await self._open(uuid.UUID(self.editing_id))
        await self._reload()
        self.done = f"Removed from “{self.editing_name}”."


def _group_row(row: rx.Var[GroupRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.name, weight="medium"),
                rx.cond(row.built_in, rx.badge("Built-in", color_scheme="gray")),
                spacing="1",
            ),
            min_width="9em",
        ),
        rx.table.cell(row.permissions),
        rx.table.cell(row.members, text_align="right", white_space="nowrap"),
        rx.table.cell(
            rx.button(
                "Edit",
                size="1",
                variant="soft",
                aria_label="Edit " + row.name,
                on_click=StaffGroupsState.edit(row.id),
            )
        ),
        aria_label=row.name,
    )


GROUP_COLUMNS = ("Group", "May", ("Members", "right"), "")


def _permission_checkbox(choice: rx.Var[PermissionChoice]) -> rx.Component:
    # The checkbox's own label names it; the description sits under the label's text.
    return rx.vstack(
        rx.checkbox(
            choice.label,
            name=PERMISSION_FIELD + choice.value,
            default_checked=choice.checked,
            disabled=StaffGroupsState.editing_everything,
            size="2",
            weight="medium",
        ),
        rx.text(choice.description, size="1", color_scheme="gray", padding_left="24px"),
        spacing="0",
    )


def _editor() -> rx.Component:
    state = StaffGroupsState
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.cond(state.editing_id == "", "New group", "Edit “" + state.editing_name + "”"),
                size="4",
                as_="h2",
            ),
            rx.form(
                rx.vstack(
                    labelled_input(
                        "Name",
                        "name",
                        state.errors.get("name", ""),
                        id_prefix="group-",
                        default_value=state.editing_name,
                        max_length=80,
                        required=True,
                    ),
                    labelled_input(
                        "Description",
                        "description",
                        state.errors.get("description", ""),
                        id_prefix="group-",
                        default_value=state.editing_description,
                        max_length=500,
                    ),
                    rx.el.fieldset(
                        rx.el.legend(rx.text("Permissions", size="2", weight="medium")),
                        rx.grid(
                            rx.foreach(state.choices, _permission_checkbox),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="3",
                            width="100%",
                        ),
                        rx.cond(
                            state.editing_everything,
                            rx.text(
                                "The Administrators group keeps every permission.",
                                size="1",
                                color_scheme="gray",
                                margin_top="8px",
                            ),
                            rx.text(
                                "Fulfilling or refunding orders includes seeing them.",
                                size="1",
                                color_scheme="gray",
                                margin_top="8px",
                            ),
                        ),
                        rx.cond(
                            state.errors.contains("permissions"),
                            rx.text(
                                state.errors.get("permissions", ""),
                                size="2",
                                color_scheme="tomato",
                                role="alert",
                            ),
                        ),
                        border="none",
                        padding="0",
                        margin="0",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.cond(state.editing_id == "", "Create group", "Save group"),
                            type="submit",
                        ),
                        rx.cond(
                            (state.editing_id != "") & ~state.editing_built_in,
                            rx.button(
                                "Delete group",
                                type="button",
                                variant="soft",
                                color_scheme="tomato",
                                on_click=state.delete,
                            ),
                        ),
                        rx.cond(
                            state.editing_id != "",
                            rx.button(
                                "New group",
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                on_click=state.new_group,
                            ),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                ),
                key=state.form_version.to_string(),
                on_submit=state.save,
                reset_on_submit=False,
                aria_label="Staff group",
            ),
            rx.cond(state.editing_id != "", _members()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _member_row(member: rx.Var[MemberRow]) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(member.name, href=member.url, size="2"),
            rx.text(member.email, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Remove",
            size="1",
            variant="soft",
            color_scheme="tomato",
            aria_label="Remove " + member.email,
            on_click=StaffGroupsState.remove_member(member.user_id),
        ),
        width="100%",
        align="center",
    )


def _members() -> rx.Component:
    state = StaffGroupsState
    return rx.vstack(
        rx.heading("Members", size="3", as_="h3"),
        rx.cond(
            state.members.length() == 0,
            rx.text("Nobody yet.", size="2", color_scheme="gray"),
        ),
        rx.foreach(state.members, _member_row),
        rx.form(
            rx.hstack(
                rx.box(
                    labelled_input(
                        "Add by e-mail",
                        "email",
                        state.errors.get("email", ""),
                        id_prefix="member-",
                        type="email",
                        max_length=255,
                    ),
                    flex="1",
                ),
                rx.button("Add member", type="submit", variant="soft", margin_top="22px"),
                spacing="2",
                align="start",
                width="100%",
            ),
            key=state.form_version.to_string(),
            on_submit=state.add_member,
            reset_on_submit=True,
            aria_label="Add a member",
        ),
        spacing="2",
        width="100%",
        padding_top="8px",
        border_top=f"1px solid {rx.color('gray', 5)}",
    )


def staff_page() -> rx.Component:
    return admin_page(
        "Staff",
        rx.vstack(
            rx.text(
                "Staff may do what any of their groups allows. Changes count from their "
                "next click.",
                size="2",
                color_scheme="gray",
            ),
            form_alert(StaffGroupsState.message),
            success_note(StaffGroupsState.done),
            rx.grid(
                rx.box(
                    data_table(GROUP_COLUMNS, StaffGroupsState.groups, _group_row),
                    style={
                        "& th": {"white_space": "nowrap"},
                        "& button": {"white_space": "nowrap"},
                    },
                    width="100%",
                ),
                _editor(),
                columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.STAFF,
    )
