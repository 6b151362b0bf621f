"""Admin audit log: every change staff made, newest first, filterable (the staff
permission)."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts import audit_log
from backend.accounts.permissions import Permission
from ui.tables import data_table, pager

PAGE_SIZE = 50
ENTITY_TYPES = ["all", "order", "account", "staff_group", "product", "discount", "stock", "review"]


def _describe(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    return ", ".join(f"{key}: {value}" for key, value in values.items())


@dataclasses.dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    entity: str
    before: str
    after: str


class AuditState(AdminState):
    permission: ClassVar[Permission] = Permission.STAFF

    rows: list[AuditRow] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    entity_type: str = "all"
    entity_id: str = ""

    async def _load_page(self, page: int) -> None:
        result = await audit_log.list_entries(
            self.staff_viewer,
            entity_type="" if self.entity_type == "all" else self.entity_type,
            entity_id=self.entity_id,
            page=page,
            limit=PAGE_SIZE,
        )
        self.rows = [
            AuditRow(
                at=e.at.strftime("%d %b %Y %H:%M:%S"),
                actor=e.actor,
                action=e.action,
                entity=f"{e.entity_type} {e.entity_id}",
                before=_describe(e.before),
                after=_describe(e.after),
            )
            for e in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        await self._load_page(1)

    @rx.event
    async def filter_type(self, value: str) -> None:
        self.entity_type = value if value in ENTITY_TYPES else "all"
        await self._load_page(1)

    @rx.event
    async def filter_entity(self, form_data: dict[str, str]) -> None:
        self.entity_id = str(form_data.get("entity_id") or "").strip()[:100]
        await self._load_page(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))


def _row(row: rx.Var[AuditRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"),
        rx.table.cell(row.actor),
        rx.table.cell(rx.code(row.action)),
        rx.table.cell(row.entity),
        rx.table.cell(row.before, color=rx.color("gray", 11)),
        rx.table.cell(row.after),
    )


COLUMNS = ("When", "Who", "Action", "What", "Before", "After")


def audit_page() -> rx.Component:
    return admin_page(
        "Audit log",
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(aria_label="Kind"),
                    rx.select.content(*(rx.select.item(kind, value=kind) for kind in ENTITY_TYPES)),
                    value=AuditState.entity_type,
                    on_change=AuditState.filter_type,
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="entity_id",
                            placeholder="Order number, account id…",
                            aria_label="Filter by what changed",
                            width="260px",
                        ),
                        rx.button("Filter", type="submit", variant="soft"),
                    ),
                    on_submit=AuditState.filter_entity,
                    reset_on_submit=False,
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                AuditState.total,
                rx.cond(AuditState.total == 1, " change", " changes"),
                color_scheme="gray",
                size="2",
            ),
            data_table(COLUMNS, AuditState.rows, _row),
            pager(
                page=AuditState.page,
                page_count=AuditState.page_count,
                on_previous=AuditState.previous_page,
                on_next=AuditState.next_page,
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.STAFF,
    )
