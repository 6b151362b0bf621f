"""Admin taxes: whether prices include tax, the rates by country/region and tax class,
and a preview of what checkout offers and charges for an address. Admins only; the tax
services check the role again and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.checkout.address_preview import preview_address
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.core.regions import country_name
from backend.core.validation import parse_input
from backend.settings import get_settings
from backend.tax import rates as tax_rates
from backend.tax import services as taxes
from ui.errors import form_feedback
from ui.forms import (
    bound_input,
    form_alert,
    labelled_input,
    labelled_select,
    save_or_cancel,
    success_note,
)
from ui.tables import data_table

RATE_FIELDS = ("country", "region", "tax_class", "name", "percent")
PREVIEW_FIELDS = ("country", "region", "postcode", "weight_kg", "order_value")


@dataclasses.dataclass(frozen=True)
class RateRow:
    id: str
    place: str
    tax_class: str
    name: str
    percent: str


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


class TaxesAdminState(AdminState):
    permission: ClassVar[Permission] = Permission.SETTINGS

    rates: list[RateRow] = []
    classes: list[tuple[str, str]] = []  # (code, name)
    prices_include_tax: bool = False
    rate_form: dict[str, str] = {}
    editing_rate: str = ""
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0
    preview_errors: dict[str, str] = {}
    preview_lines: list[str] = []

    _rates: dict[str, taxes.TaxRateView] = {}

    async def _reload(self) -> None:
        found = await taxes.list_tax_rates(self.staff_viewer)
        self._rates = {str(rate.id): rate for rate in found}
        class_names = dict(self.classes)
        self.rates = [
            RateRow(
                id=str(rate.id),
                place=", ".join(filter(None, (rate.region, country_name(rate.country)))),
                tax_class=class_names.get(rate.tax_class, rate.tax_class),
                name=rate.name,
                percent=_percent(rate.percent),
            )
            for rate in found
        ]
        self.prices_include_tax = await tax_rates.prices_include_tax()

    def _blank_form(self) -> None:
        self.rate_form = {name: "" for name in RATE_FIELDS} | {"tax_class": "standard"}
        self.editing_rate = ""
        self.form_version += 1

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done = {}, "", ""
        self.preview_errors, self.preview_lines = {}, []
        self.classes = [(c.code, c.name) for c in await taxes.list_tax_classes()]
        await self._reload()
        self._blank_form()

    @rx.event
    async def set_prices_include_tax(self, include: bool) -> None:
        self.message, self.done = "", ""
        try:
            await taxes.set_prices_include_tax(include is True, actor=self.staff_viewer)
        except DomainError as error:
            self.message = error.message
        await self._reload()
        self.done = (
            "Catalog prices now include tax."
            if self.prices_include_tax
            else "Tax is now added to catalog prices at checkout."
        )

    @rx.event
    def edit_rate(self, rate_id: str) -> None:
        rate = self._rates.get(str(rate_id))
        if rate is None:
            return
        self.rate_form = {
            "country": rate.country,
            "region": rate.region,
            "tax_class": rate.tax_class,
            "name": rate.name,
            "percent": f"{rate.percent.normalize():f}",
        }
        self.editing_rate, self.errors = str(rate.id), {}
        self.form_version += 1

    @rx.event
    def cancel_edit(self) -> None:
        self.errors = {}
        self._blank_form()

    @rx.event
    async def save_rate(self, form_data: dict[str, str]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        data = {name: str(form_data.get(name) or "").strip()[:60] for name in RATE_FIELDS}
        self.rate_form = data
        try:
            rate = parse_input(taxes.TaxRateInput, data)
            await taxes.save_tax_rate(
                rate,
                actor=self.staff_viewer,
                rate_id=uuid.UUID(self.editing_rate) if self.editing_rate else None,
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        self.done = f"{rate.name} {_percent(rate.percent)} for {country_name(rate.country)} saved."
        await self._reload()
        self._blank_form()

    @rx.event
    async def delete_rate(self, rate_id: str) -> None:
        self.message, self.done = "", ""
        try:
            await taxes.delete_tax_rate(uuid.UUID(str(rate_id)), actor=self.staff_viewer)
        except (DomainError, ValueError) as error:
            self.message = getattr(error, "message", "There is no such tax rate.")
            return
        self.done = "Tax rate deleted."
        await self._reload()

    @rx.event
    async def preview(self, form_data: dict[str, str]) -> None:
        data = {name: str(form_data.get(name) or "").strip()[:40] for name in PREVIEW_FIELDS}
        self.preview_errors, self.preview_lines = {}, []
        amounts: dict[str, Decimal] = {}
        for name, default in (("weight_kg", "1"), ("order_value", "50")):
            try:
                amounts[name] = Decimal(data[name] or default)
                if not Decimal(0) <= amounts[name] < Decimal(10**9):
                    raise InvalidOperation
            except InvalidOperation:
                self.preview_errors[name] = "Enter a number, such as 2.5."
        if len(data["country"]) != 2:
            self.preview_errors["country"] = "Enter a two-letter country code."
        if self.preview_errors:
            return
        result = await preview_address(
            self.staff_viewer,
            country=data["country"],
            region=data["region"],
            postcode=data["postcode"],
            weight_kg=amounts["weight_kg"],
            order_value=amounts["order_value"],
        )
        currency = get_settings().shop_currency
        if result.zone is None:
            lines = [f"We don't ship to {result.place}: no zone covers it."]
        else:
            lines = [f"{result.place}: zone {result.zone}."]
            lines += [
                f"{option.label}: "
                + (format_money(option.price, currency) if option.price else "free")
                + (f" ({option.delivery})" if option.delivery else "")
                for option in result.options
            ] or ["No method takes an order of this weight and value there."]
            lines.append(
                "Shipping is taxed." if result.shipping_taxed else "Shipping is not taxed."
            )
        lines += [
            f"{class_name}: {rate.label}" if rate.percent else f"{class_name}: no tax"
            for class_name, rate in result.taxes
        ]
        lines.append(
            "Catalog prices include tax."
            if result.prices_include_tax
            else "Tax is added at checkout."
        )
        self.preview_lines = lines


def _rate_row(row: rx.Var[RateRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.place),
        rx.table.cell(row.tax_class),
        rx.table.cell(row.name),
        rx.table.cell(row.percent, text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=TaxesAdminState.edit_rate(row.id),
                    aria_label="Edit rate " + row.place + " " + row.tax_class,
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=TaxesAdminState.delete_rate(row.id),
                    aria_label="Delete rate " + row.place + " " + row.tax_class,
                ),
                spacing="2",
            )
        ),
    )


def _rate_form() -> rx.Component:
    errors, form = TaxesAdminState.errors, TaxesAdminState.rate_form
    field = partial(bound_input, errors=errors, values=form, id_prefix="rate-")
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(TaxesAdminState.editing_rate != "", "Edit rate", "New rate"),
                size="3",
                as_="h2",
            ),
            rx.grid(
                field("Country", "country", hint="e.g. DE"),
                field("Region (optional)", "region", hint="e.g. CA for California"),
                labelled_select(
                    "Tax class",
                    "tax_class",
                    TaxesAdminState.classes,
                    value=form["tax_class"],
                    error=errors.get("tax_class", ""),
                ),
                field("Name on receipts", "name", hint="VAT, GST, Sales tax"),
                field("Percent", "percent", hint="19 = 19 %"),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            save_or_cancel(
                "Save rate",
                editing=TaxesAdminState.editing_rate != "",
                on_cancel=TaxesAdminState.cancel_edit,
            ),
            spacing="3",
            width="100%",
        ),
        key="rate-" + TaxesAdminState.form_version.to_string(),
        on_submit=TaxesAdminState.save_rate,
        reset_on_submit=False,
        width="100%",
    )


def _preview_form() -> rx.Component:
    errors = TaxesAdminState.preview_errors
    return rx.form(
        rx.vstack(
            rx.heading("Preview checkout for an address", size="3", as_="h2"),
            rx.grid(
                labelled_input(
                    "Country", "country", errors.get("country", ""), id_prefix="preview-"
                ),
                labelled_input("Region", "region", errors.get("region", ""), id_prefix="preview-"),
                labelled_input(
                    "Postcode", "postcode", errors.get("postcode", ""), id_prefix="preview-"
                ),
                labelled_input(
                    "Weight (kg)",
                    "weight_kg",
                    errors.get("weight_kg", ""),
                    hint="Default 1",
                    id_prefix="preview-",
                ),
                labelled_input(
                    "Order value",
                    "order_value",
                    errors.get("order_value", ""),
                    hint="Default 50",
                    id_prefix="preview-",
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.button("Preview", type="submit", variant="soft"),
            rx.cond(
                TaxesAdminState.preview_lines.length() > 0,
                rx.card(
                    rx.vstack(rx.foreach(TaxesAdminState.preview_lines, rx.text), spacing="1"),
                    width="100%",
                    role="status",
                    data_testid="checkout-preview",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=TaxesAdminState.preview,
        reset_on_submit=False,
        width="100%",
    )


def taxes_page() -> rx.Component:
    return admin_page(
        "Taxes",
        rx.vstack(
            form_alert(TaxesAdminState.message),
            success_note(TaxesAdminState.done),
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=TaxesAdminState.prices_include_tax,
                        on_change=TaxesAdminState.set_prices_include_tax,
                        aria_label="Catalog prices include tax",
                    ),
                    rx.text("Catalog prices include tax (EU/UK style)", size="2", weight="medium"),
                    spacing="2",
                    align="center",
                )
            ),
            rx.text(
                "A region's own rate replaces its country's; a class without a rate in a "
                "country is taxed at the standard rate; a country without rates is not taxed. "
                "Orders keep the rates they were placed with.",
                size="2",
                color_scheme="gray",
            ),
            data_table(
                ("Where", "Class", "Name", ("Percent", "right"), "Actions"),
                TaxesAdminState.rates,
                _rate_row,
            ),
            _rate_form(),
            _preview_form(),
            spacing="4",
            width="100%",
        ),
        permission=Permission.SETTINGS,
    )
