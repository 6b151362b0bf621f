"""Accounts: find customers and staff with their orders, lifetime value and staff groups,
lock and unlock; each account opens its customer page (where staff groups are given). The
customers permission."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts import staff
from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.orders import customers
from ui.tables import data_table, pager

PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class AccountRow:
    user_id: str
    url: str
    email: str
    username: str
    name: str
    status: str
    staff_groups: str
    last_login: str
    orders: int
    lifetime_value: str


def account_url(user_id: object) -> str:
    return f"/admin/accounts/{user_id}"


def format_moment(moment: datetime | None, empty: str = "never") -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else empty


async def lock_account(
    actor: Viewer | None, user_id: str, *, locked: bool
) -> rx.event.EventSpec | None:
    """Lock or unlock an account; an error toast, or None when done. The id comes from the
    browser: it is checked here and the permission again by the service."""
    if actor is None:
        return rx.toast.error("Please sign in again.")
    try:
        await staff.set_locked(actor, uuid.UUID(str(user_id)[:36]), locked=locked)
    except ValueError:
        return rx.toast.error("That request was not understood.")
    except DomainError as error:
        return rx.toast.error(error.message)
    return None


class AccountsState(AdminState):
    permission: ClassVar[Permission] = Permission.CUSTOMERS

    rows: list[AccountRow] = []
    search: str = ""
    page: int = 1
    page_count: int = 1
    total_label: str = ""

    async def _load(self, page: int) -> None:
        actor = self.viewer
        if actor is None:
            return
        result = await customers.list_customers(
            actor, search=self.search, page=page, limit=PAGE_SIZE
        )
        self.rows = [
            AccountRow(
                user_id=str(row.account.user_id),
                url=account_url(row.account.user_id),
                email=row.account.email,
                username=row.account.username,
                name=row.account.name,
                status=row.account.status,
                staff_groups=", ".join(row.account.staff_groups) or "—",
                last_login=format_moment(row.account.last_login_at),
                orders=row.order_count,
                lifetime_value=format_money(row.lifetime_value, row.currency),
            )
            for row in result.items
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

    async def _act(self, user_id: str, *, locked: bool) -> rx.event.EventSpec | None:
        refused = await lock_account(self.viewer, user_id, locked=locked)
        if refused is not None:
            return refused
        await self._load(self.page)
        return rx.toast.success("Saved.")

    @rx.event
    async def lock(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._act(user_id, locked=True)

    @rx.event
    async def unlock(self, user_id: str) -> rx.event.EventSpec | None:
        return await self._act(user_id, locked=False)


def _row(row: rx.Var[AccountRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(row.email, href=row.url),
                rx.text(row.name, " · ", row.username, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(
                    row.status, ("active", "grass"), ("locked", "tomato"), "gray"
                ),
            )
        ),
        rx.table.cell(row.last_login, white_space="nowrap"),
        rx.table.cell(row.orders, text_align="right"),
        rx.table.cell(row.lifetime_value, text_align="right", white_space="nowrap"),
        rx.table.cell(row.staff_groups),
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


COLUMNS = (
    "Account",
    "Status",
    "Last sign-in",
    ("Orders", "right"),
    ("Lifetime value", "right"),
    "Staff groups",
    "",
)


def accounts_page() -> rx.Component:
    return admin_page(
        "Customers",
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
        permission=Permission.CUSTOMERS,
    )
