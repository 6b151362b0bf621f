"""Back-in-stock demand: products shoppers are waiting for, most wanted first. Staff (admins
and moderators); the service checks the role again."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.stock_notices import queries as stock_notice_queries
from ui.forms import form_alert
from ui.tables import data_table


@dataclasses.dataclass(frozen=True)
class DemandRow:
    name: str
    sku: str
    stock: int
    waiting: int
    unconfirmed: int
    editor_url: str


class DemandState(AdminState):
    permission: ClassVar[Permission] = Permission.INVENTORY

    rows: list[DemandRow] = []
    loaded: bool = False
    message: str = ""

    @rx.event
    async def load(self) -> None:
        try:
            demand = await stock_notice_queries.list_demand(self.staff_viewer)
        except DomainError as error:
            self.rows, self.message = [], error.message
            return
        self.rows = [
            DemandRow(
                name=row.name,
                sku=row.sku,
                stock=row.stock_quantity,
                waiting=row.waiting,
                unconfirmed=row.unconfirmed,
                editor_url=f"/admin/products/{row.product_id}",
            )
            for row in demand
        ]
        self.message, self.loaded = "", True


def _row(row: rx.Var[DemandRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, href=row.editor_url)),
        rx.table.cell(row.sku),
        rx.table.cell(
            rx.badge(
                row.stock,
                color_scheme=rx.cond(row.stock > 0, "grass", "tomato"),
                variant="soft",
            ),
            text_align="right",
        ),
        rx.table.cell(rx.text.strong(row.waiting), text_align="right"),
        rx.table.cell(row.unconfirmed, text_align="right"),
    )


def demand_page() -> rx.Component:
    return admin_page(
        "Back-in-stock demand",
        rx.vstack(
            rx.text(
                "Products shoppers asked to be e-mailed about, most wanted first. Waiting: "
                "confirmed requests, each e-mailed once when stock goes from 0 to more. "
                "Unconfirmed: guests who have not opened their confirmation link yet.",
                size="2",
                color_scheme="gray",
            ),
            form_alert(DemandState.message),
            rx.cond(
                DemandState.loaded & (DemandState.rows.length() == 0),
                rx.text("Nobody is waiting for a product right now."),
                data_table(
                    (
                        "Product",
                        "SKU",
                        ("In stock", "right"),
                        ("Waiting", "right"),
                        ("Unconfirmed", "right"),
                    ),
                    DemandState.rows,
                    _row,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.INVENTORY,
    )
