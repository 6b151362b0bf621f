"""Admin returns: the list of every return request, by status (each order's returns are
worked on its page: `order_returns.py`). Admins only: the access guard refuses everyone
else, and the returns services check the role again."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.money import format_money
from backend.returns import queries as return_queries
from backend.returns import status as return_status
from ui.tables import data_table, pager
from ui.viewmodels import RETURN_BADGE_COLOURS

PAGE_SIZE = 25
STATUS_CHOICES = ["all", *return_status.RETURN_STATUSES]


@dataclasses.dataclass(frozen=True)
class ReturnRow:
    number: str
    order_number: str
    order_url: str
    requested_at: str
    customer_name: str
    email: str
    item_count: str
    reason: str
    status: str
    colour: str
    refund: str


class ReturnsTableState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_VIEW

    rows: list[ReturnRow] = []
    status_filter: str = "requested"
    page: int = 1
    page_count: int = 1
    total: int = 0

    async def _load_page(self, page: int) -> None:
        status = None if self.status_filter == "all" else self.status_filter
        result = await return_queries.list_returns(
            self.staff_viewer,
            status=status,
            page=page,
            limit=PAGE_SIZE,
        )
        self.rows = [
            ReturnRow(
                number=r.number,
                order_number=r.order_number,
                order_url=f"/admin/orders/{r.order_number}",
                requested_at=r.created_at.strftime("%d %b %Y %H:%M"),
                customer_name=r.customer_name,
                email=r.email,
                item_count=str(r.item_count),
                reason=r.reason,
                status=return_status.label(r.status),
                colour=RETURN_BADGE_COLOURS.get(r.status, "gray"),
                refund=format_money(r.refund_amount, r.currency) if r.refund_amount else "",
            )
            for r in result.items
        ]
        self.page, self.page_count, self.total = result.page, result.page_count, result.total

    @rx.event
    async def load(self) -> None:
        self.status_filter = "requested"  # what needs a decision comes first
        await self._load_page(1)

    @rx.event
    async def choose_status(self, value: str) -> None:
        self.status_filter = value if value in STATUS_CHOICES else "all"
        await self._load_page(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load_page(max(self.page - 1, 1))


COLUMNS = ("Return", "Order", "Requested", "Customer", ("Items", "right"), "Reason", "Status")


def _row(row: rx.Var[ReturnRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.number, white_space="nowrap"),
        rx.table.cell(rx.link(row.order_number, href=row.order_url), white_space="nowrap"),
        rx.table.cell(row.requested_at, white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(row.customer_name),
                rx.text(row.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(row.item_count, text_align="right"),
        rx.table.cell(row.reason),
        rx.table.cell(
            rx.vstack(
                rx.badge(row.status, color_scheme=row.colour),
                rx.cond(row.refund != "", rx.text(row.refund, size="1")),
                spacing="1",
            )
        ),
    )


def returns_page() -> rx.Component:
    state = ReturnsTableState
    return admin_page(
        "Returns",
        rx.vstack(
            rx.hstack(
                rx.el.label(
                    rx.text("Status", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Status", width="220px"),
                        rx.select.content(
                            *(rx.select.item(choice, value=choice) for choice in STATUS_CHOICES)
                        ),
                        value=state.status_filter,
                        on_change=state.choose_status,
                        size="2",
                    ),
                    display="flex",
                    flex_direction="column",
                    gap="4px",
                ),
                rx.text(state.total, " returns", color_scheme="gray", size="2"),
                align="end",
                spacing="4",
            ),
            rx.text(
                "Open a return's order to approve, reject, receive or refund it.",
                size="2",
                color_scheme="gray",
            ),
            data_table(COLUMNS, state.rows, _row),
            pager(
                page=state.page,
                page_count=state.page_count,
                on_previous=state.previous_page,
                on_next=state.next_page,
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.ORDERS_VIEW,
    )
