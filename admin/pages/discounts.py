"""Admin discount codes: the list with their uses, a form for a new one, switching one off.
Admins only; the pricing service checks the role again and writes the audit log."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.pricing import discounts
from backend.settings import get_settings
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table


@dataclasses.dataclass(frozen=True)
class DiscountRow:
    code: str
    discount: str
    minimum: str
    valid: str
    uses: str
    active: bool


def _day(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y") if moment else ""


class DiscountsState(AdminState):
    permission: ClassVar[Permission] = Permission.PROMOTIONS

    rows: list[DiscountRow] = []
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0

    async def _reload(self) -> None:
        currency = get_settings().shop_currency
        self.rows = [
            DiscountRow(
                code=c.code,
                discount=c.describe(currency),
                minimum=format_money(c.min_subtotal, currency) if c.min_subtotal else "—",
                valid=" – ".join(filter(None, (_day(c.starts_at), _day(c.expires_at)))) or "always",
                uses=f"{c.times_used} / {c.usage_limit}" if c.usage_limit else str(c.times_used),
                active=c.is_active,
            )
            for c in await discounts.list_discount_codes(self.staff_viewer)
        ]

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        await self._reload()

    @rx.event
    async def create(self, form_data: dict[str, str]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        fields = {name: str(form_data.get(name) or "").strip()[:40] for name in form_data}
        problems: dict[str, str] = {}

        def decimal(name: str, default: str) -> Decimal:
            try:
                return Decimal(fields.get(name) or default)
            except InvalidOperation:
                problems[name] = "Enter a number, such as 10 or 12.50."
                return Decimal(default)

        value = decimal("value", "0")
        minimum = decimal("min_subtotal", "0")
        limit = None
        if fields.get("usage_limit"):
            try:
                limit = int(fields["usage_limit"])
            except ValueError:
                problems["usage_limit"] = "Enter a whole number, or leave it empty."
        expires = None
        if fields.get("expires_on"):
            try:
                day = date.fromisoformat(fields["expires_on"])
                expires = datetime.combine(day, time.max, tzinfo=UTC)
            except ValueError:
                problems["expires_on"] = "Choose a date."
        if problems:
            self.errors = problems
            return
        kind = "fixed" if fields.get("kind") == "fixed" else "percent"
        try:
            created = await discounts.create_discount_code(
                fields.get("code", ""),
                kind=kind,
                value=value,
                min_subtotal=minimum,
                expires_at=expires,
                usage_limit=limit,
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {})
            self.message = "" if self.errors else error.message
            return
        self.done = f"Code {created.code} created."
        self.form_version += 1
        await self._reload()

    @rx.event
    async def set_active(self, code: str, active: bool) -> None:
        try:
            await discounts.set_discount_active(
                str(code)[:40],
                active=bool(active),
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.message = error.message
        await self._reload()


def _row(row: rx.Var[DiscountRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(row.code)),
        rx.table.cell(row.discount),
        rx.table.cell(row.minimum),
        rx.table.cell(row.valid),
        rx.table.cell(row.uses, text_align="right"),
        rx.table.cell(
            rx.switch(
                checked=row.active,
                on_change=lambda checked: DiscountsState.set_active(row.code, checked),
                aria_label="Active: " + row.code,
            )
        ),
    )


def _form() -> rx.Component:
    errors = DiscountsState.errors
    return rx.form(
        rx.vstack(
            rx.heading("New code", size="3", as_="h2"),
            rx.grid(
                labelled_input("Code", "code", errors.get("code", ""), placeholder="SPRING10"),
                rx.box(
                    rx.text("Kind", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Kind"),
                        rx.select.content(
                            rx.select.item("Percent off", value="percent"),
                            rx.select.item("Amount off", value="fixed"),
                        ),
                        name="kind",
                        default_value="percent",
                    ),
                ),
                labelled_input(
                    "Value", "value", errors.get("value", ""), hint="10 = 10 % or 10.00 off"
                ),
                labelled_input("Minimum spend", "min_subtotal", errors.get("min_subtotal", "")),
                labelled_input(
                    "Expires on", "expires_on", errors.get("expires_at", ""), type="date"
                ),
                labelled_input(
                    "Usage limit",
                    "usage_limit",
                    errors.get("usage_limit", ""),
                    hint="Empty: no limit",
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.button("Create code", type="submit"),
            spacing="3",
            width="100%",
        ),
        key=DiscountsState.form_version.to_string(),
        on_submit=DiscountsState.create,
        reset_on_submit=False,
        width="100%",
    )


def discounts_page() -> rx.Component:
    return admin_page(
        "Discount codes",
        rx.vstack(
            form_alert(DiscountsState.message),
            success_note(DiscountsState.done),
            _form(),
            data_table(
                ("Code", "Discount", "Minimum spend", "Valid", ("Uses", "right"), "Active"),
                DiscountsState.rows,
                _row,
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.PROMOTIONS,
    )
