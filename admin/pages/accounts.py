"""Accounts: find customers and staff, give and take roles, lock and unlock. Admins only."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from admin.components.layout import admin_page
from admin.components.tables import data_table, pager
from admin.state import AdminOnlyAreaState
from backend.accounts import staff
from backend.accounts.roles import RoleName
from backend.core.errors import DomainError

PAGE_SIZE = 25
MANAGED_ROLES = (RoleName.ADMIN, RoleName.MODERATOR)


@dataclasses.dataclass(frozen=True)
class AccountRow:
    user_id: str
    email: str
    username: str
    name: str
    status: str
    is_admin: bool
    is_moderator: bool
    last_login: str


class AccountsState(AdminOnlyAreaState):
    rows: list[AccountRow] = []
    search: str = ""
    page: int = 1
    page_count: int = 1
    total_label: str = ""

    async def _load(self, page: int) -> None:
        actor = self.viewer
        if actor is None:
            return
        result = await staff.list_accounts(actor, search=self.search, page=page, limit=PAGE_SIZE)
        self.rows = [
            AccountRow(
                user_id=str(a.user_id),
                email=a.email,
                username=a.username,
                name=a.name,
                status=a.status,
                is_admin="admin" in a.roles,
                is_moderator="moderator" in a.roles,
                last_login=a.last_login_at.strftime("%Y-%m-%d %H:%M")
                if a.last_login_at
                else "never",
            )
            for a in result.items
        ]
        self.page, self.page_count = result.page, result.page_count
        self.total_label = f"{result.total} account" + ("" if result.total == 1 else "s")

    @rx.event
    async def load(self) -> None:
        self.search = ""
        await self._load(1)

    @rx.event
    async def find(self, form_data: dict[str, object]) -> None:
        self.search = str(form_data.get("search") or "").strip()[:100]
        await self._load(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load(max(self.page - 1, 1))

    async def _act(self, action: str, user_id: str, value: str) -> rx.event.EventSpec | None:
        actor = self.viewer
        if actor is None:
            return None
        try:
            target = uuid.UUID(str(user_id))
            if action == "lock":
                await staff.set_locked(actor, target, locked=value == "lock")
            else:
                role = RoleName(str(value))
                if role not in MANAGED_ROLES:
                    return rx.toast.error("That role cannot be changed here.")
                await staff.set_role(actor, target, role, granted=action == "grant")
        except ValueError:
            return rx.toast.error("That request was not understood.")
        except DomainError as error:
            return rx.toast.error(error.message)
        await self._load(self.page)
        return rx.toast.success("Saved.")

    @rx.event
    async def set_role(self, user_id: str, role: str, granted: bool) -> rx.event.EventSpec | None:
        # `granted` comes from the browser as whatever it sent: only a real True grants.
        return await self._act("grant" if granted is True else "revoke", user_id, role)

    @rx.event
    async def lock(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._act("lock", user_id, "lock")

    @rx.event
    async def unlock(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._act("lock", user_id, "unlock")


def _role_switch(row: rx.Var[AccountRow], role: RoleName, has: rx.Var[bool]) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=has,
                on_change=lambda on: AccountsState.set_role(row.user_id, role.value, on),
                aria_label=f"{role.value.capitalize()} role",
            ),
            rx.text(role.value.capitalize(), size="2"),
            spacing="2",
            align="center",
        )
    )


def _row(row: rx.Var[AccountRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.email), rx.text(row.name, size="1", color_scheme="gray"), spacing="0"
            )
        ),
        rx.table.cell(row.username),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(
                    row.status, ("active", "grass"), ("locked", "tomato"), "gray"
                ),
            )
        ),
        rx.table.cell(row.last_login, white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                _role_switch(row, RoleName.ADMIN, row.is_admin),
                _role_switch(row, RoleName.MODERATOR, row.is_moderator),
                spacing="4",
            )
        ),
        rx.table.cell(
            rx.cond(
                row.status == "locked",
                rx.button(
                    "Unlock", size="1", variant="soft", on_click=AccountsState.unlock(row.user_id)
                ),
                rx.button(
                    "Lock",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=AccountsState.lock(row.user_id),
                ),
            )
        ),
        aria_label=row.email,
    )


COLUMNS = ("Account", "Username", "Status", "Last sign-in", "Staff roles", "")


def accounts_page() -> rx.Component:
    return admin_page(
        "Accounts",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.input(
                        name="search",
                        placeholder="E-mail, username or last name",
                        aria_label="Search accounts",
                        width="320px",
                        max_length=100,
                    ),
                    rx.button("Search", type="submit", variant="soft"),
                    spacing="2",
                ),
                on_submit=AccountsState.find,
                reset_on_submit=False,
            ),
            rx.text(AccountsState.total_label, size="2", color_scheme="gray"),
            data_table(COLUMNS, AccountsState.rows, _row),
            pager(
                page=AccountsState.page,
                page_count=AccountsState.page_count,
                on_previous=AccountsState.previous_page,
                on_next=AccountsState.next_page,
            ),
            spacing="3",
            width="100%",
        ),
        admins_only=True,
    )
