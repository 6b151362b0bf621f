"""Admin inventory: find a variant by SKU (a product without options has one, with the
product's SKU), see its stock at each location, adjust it at a location with a reason,
move it between locations, see the product's history and every variant's stock. Staff
with the inventory permission; the services check it again."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import queries as catalog
from backend.catalog.variant_queries import find_variant_by_sku
from backend.core.errors import DomainError
from backend.inventory import locations
from backend.inventory import services as inventory
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table


@dataclasses.dataclass(frozen=True)
class VariantStockRow:
    sku: str
    title: str
    stock: int
    low: bool  # at or below its low-stock threshold


@dataclasses.dataclass(frozen=True)
class HeldRow:
    location_id: str
    location: str
    sells_online: bool
    quantity: int


@dataclasses.dataclass(frozen=True)
class MovementRow:
    at: str
    variant: str
    location: str
    change: str
    quantity_after: int
    reason: str
    note: str
    who: str


class InventoryState(AdminState):
    permission: ClassVar[Permission] = Permission.INVENTORY

    sku: str = ""
    name: str = ""
    stock: int = 0
    threshold: int = 0
    found: bool = False
    history: list[MovementRow] = []
    variants: list[VariantStockRow] = []  # the product's, when it has several
    held: list[HeldRow] = []  # the variant's stock at each location
    message: str = ""
    done: str = ""
    errors: dict[str, str] = {}
    form_version: int = 0

    _variant_id: str = ""

    async def _show(self, product_id: uuid.UUID, variant_id: uuid.UUID) -> None:
        record = await catalog.get_product(product_id)
        variant = next((v for v in record.variants if v.id == variant_id), None)
        if variant is None:
            self.found, self.message = False, "No product has that SKU."
            return
        self._variant_id = str(variant_id)
        self.sku = variant.sku
        self.name = (
            f"{record.summary.name} ({variant.title})" if variant.title else record.summary.name
        )
        self.stock, self.threshold = variant.stock_quantity, variant.low_stock_threshold
        self.found = True
        self.variants = (
            [
                VariantStockRow(
                    v.sku, v.title, v.stock_quantity, v.stock_quantity <= v.low_stock_threshold
                )
                for v in record.variants
            ]
            if len(record.variants) > 1
            else []
        )
        self.held = [
            HeldRow(str(h.location_id), h.location, h.sells_online, h.quantity)
            for h in await locations.variant_stock(variant_id, actor=self.staff_viewer)
        ]
        self.history = [
            MovementRow(
                at=m.at.strftime("%d %b %Y %H:%M"),
                variant=m.variant_title,
                location=m.location,
                change=f"{m.change:+d}",
                quantity_after=m.quantity_after,
                reason=m.reason,
                note=m.note,
                who=m.who,
            )
            for m in await inventory.list_movements(product_id)
        ]

    @rx.event
    def load(self) -> None:
        self.found, self.message, self.done, self.errors = False, "", "", {}

    @rx.event
    async def find(self, form_data: dict[str, str]) -> None:
        self.message, self.done, self.errors = "", "", {}
        found = await find_variant_by_sku(str(form_data.get("sku") or ""))
        if found is None:
            self.found, self.message = False, "No product has that SKU."
            return
        await self._show(*found)

    @rx.event
    async def open_variant(self, sku: str) -> None:
        """One of the product's variants, from its table."""
        self.message, self.done, self.errors = "", "", {}
        found = await find_variant_by_sku(str(sku)[:50])
        if found is not None:
            self.form_version += 1
            await self._show(*found)

    @rx.event
    async def adjust(self, form_data: dict[str, str]) -> None:
        if not self._variant_id:
            return
        self.message, self.done = "", ""
        try:
            change = int(str(form_data.get("change") or "").strip() or "0")
        except ValueError:
            self.errors = {"change": "Enter a whole number, such as 12 or -3."}
            return
        location = self._location(form_data.get("location"))
        try:
            after = await inventory.adjust_stock(
                uuid.UUID(self._variant_id),
                change=change,
                reason=str(form_data.get("reason") or ""),
                note=str(form_data.get("note") or "")[:500],
                actor=self.staff_viewer,
                location_id=location,
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        where = next((h.location for h in self.held if h.location_id == str(location)), "")
        self.errors, self.done = {}, f"Stock at {where} is now {after}." if where else ""
        await self._refresh()

    def _location(self, raw: object) -> uuid.UUID | None:
        """A location the page offered (None: not chosen, or not one of them)."""
        value = str(raw or "")[:36]
        return uuid.UUID(value) if value in {h.location_id for h in self.held} else None

    async def _refresh(self) -> None:
        self.form_version += 1
        found = await find_variant_by_sku(self.sku)
        if found is not None:
            await self._show(*found)

    @rx.event
    async def transfer(self, form_data: dict[str, str]) -> None:
        """Move stock of the variant shown from one location to another."""
        if not self._variant_id:
            return
        self.message, self.done = "", ""
        source = self._location(form_data.get("from_location"))
        target = self._location(form_data.get("to_location"))
        raw = str(form_data.get("quantity") or "").strip()[:9]
        problems = {}
        if source is None:
            problems["from_location"] = "Choose where the stock is."
        if target is None:
            problems["to_location"] = "Choose where it goes."
        if not raw.isdigit():
            problems["quantity"] = "Enter how many to move (e.g. 5)."
        if problems or source is None or target is None:
            self.errors = problems
            return
        try:
            await inventory.transfer_stock(
                uuid.UUID(self._variant_id),
                from_location=source,
                to_location=target,
                quantity=int(raw),
                note=str(form_data.get("note") or "")[:500],
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        names = {h.location_id: h.location for h in self.held}
        self.errors = {}
        self.done = f"Moved {int(raw)} from {names[str(source)]} to {names[str(target)]}."
        await self._refresh()


def _variant_row(row: rx.Var[VariantStockRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                row.sku,
                variant="ghost",
                on_click=InventoryState.open_variant(row.sku),
                aria_label="Adjust " + row.title,
            )
        ),
        rx.table.cell(row.title),
        rx.table.cell(
            rx.hstack(
                rx.text(row.stock),
                rx.cond(row.low, rx.badge("Low", color_scheme="tomato")),
                spacing="2",
                justify="end",
            ),
            text_align="right",
        ),
    )


def _held_row(row: rx.Var[HeldRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.location),
        rx.table.cell(rx.cond(row.sells_online, "Sells online", "Not online")),
        rx.table.cell(row.quantity, text_align="right"),
    )


def _location_select(
    name: str, label: str, placeholder: str = "Choose…", default: str | None = None
) -> rx.Component:
    error = InventoryState.errors.get(name, "")
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder=placeholder, aria_label=label),
            rx.select.content(
                rx.foreach(
                    InventoryState.held,
                    lambda h: rx.select.item(h.location, value=h.location_id),
                )
            ),
            name=name,
            **({"default_value": default} if default is not None else {}),
        ),
        rx.cond(error != "", rx.text(error, color_scheme="tomato", size="2", role="alert")),
    )


def _transfer_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Move stock", size="3", as_="h3"),
            rx.hstack(
                _location_select("from_location", "From"),
                _location_select("to_location", "To"),
                rx.box(
                    labelled_input(
                        "Quantity",
                        "quantity",
                        InventoryState.errors.get("quantity", ""),
                        input_mode="numeric",
                    ),
                    width="120px",
                ),
                spacing="3",
                align="start",
                wrap="wrap",
                width="100%",
            ),
            labelled_input("Why it moves (optional)", "note", id_prefix="transfer-"),
            rx.button("Move stock", type="submit", variant="soft"),
            spacing="2",
            width="100%",
            max_width="520px",
        ),
        key="transfer-" + InventoryState.form_version.to_string(),
        on_submit=InventoryState.transfer,
        reset_on_submit=False,
    )


def _history_row(row: rx.Var[MovementRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"),
        rx.table.cell(row.variant),
        rx.table.cell(row.location),
        rx.table.cell(row.change, text_align="right"),
        rx.table.cell(row.quantity_after, text_align="right"),
        rx.table.cell(row.reason),
        rx.table.cell(row.note),
        rx.table.cell(row.who),
    )


def _adjust_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Adjust stock", size="3", as_="h3"),
            rx.hstack(
                _location_select(
                    "location",
                    "Location",
                    default=rx.cond(
                        InventoryState.held.length() > 0, InventoryState.held[0].location_id, ""
                    ),
                ),
                rx.box(
                    labelled_input(
                        "Change",
                        "change",
                        InventoryState.errors.get("change", ""),
                        hint="+12 or -3",
                    ),
                    width="120px",
                ),
                rx.box(
                    rx.text("Reason", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(placeholder="Choose…", aria_label="Reason"),
                        rx.select.content(
                            *(
                                rx.select.item(label, value=code)
                                for code, label in inventory.ADJUSTMENT_REASONS.items()
                            )
                        ),
                        name="reason",
                    ),
                    rx.cond(
                        InventoryState.errors.get("reason", "") != "",
                        rx.text(
                            InventoryState.errors.get("reason", ""), color_scheme="tomato", size="2"
                        ),
                    ),
                ),
                spacing="3",
                align="start",
                wrap="wrap",
                width="100%",
            ),
            labelled_input("Note (optional)", "note"),
            rx.button("Save adjustment", type="submit"),
            spacing="2",
            width="100%",
            max_width="520px",
        ),
        key=InventoryState.form_version.to_string(),
        on_submit=InventoryState.adjust,
        reset_on_submit=False,
    )


def inventory_page() -> rx.Component:
    return admin_page(
        "Inventory",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.input(
                        name="sku", placeholder="SKU", aria_label="Product SKU", width="220px"
                    ),
                    rx.button("Find", type="submit", variant="soft"),
                ),
                on_submit=InventoryState.find,
                reset_on_submit=False,
            ),
            form_alert(InventoryState.message),
            success_note(InventoryState.done),
            rx.cond(
                InventoryState.found,
                rx.vstack(
                    rx.heading(InventoryState.name, size="5", as_="h2"),
                    rx.text(
                        "SKU ",
                        InventoryState.sku,
                        " · sold online: ",
                        rx.text.strong(InventoryState.stock, data_testid="stock"),
                        " · low-stock alert at ",
                        InventoryState.threshold,
                    ),
                    data_table(
                        ("Location", "Online", ("In stock", "right")),
                        InventoryState.held,
                        _held_row,
                    ),
                    _adjust_form(),
                    _transfer_form(),
                    rx.cond(
                        InventoryState.variants.length() > 0,
                        rx.vstack(
                            rx.heading("Every variant", size="3", as_="h3"),
                            data_table(
                                ("SKU", "Variant", ("In stock", "right")),
                                InventoryState.variants,
                                _variant_row,
                            ),
                            width="100%",
                        ),
                    ),
                    rx.heading("History", size="3", as_="h3"),
                    data_table(
                        (
                            "When",
                            "Variant",
                            "Location",
                            ("Change", "right"),
                            ("After", "right"),
                            "Reason",
                            "Note",
                            "Who",
                        ),
                        InventoryState.history,
                        _history_row,
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.INVENTORY,
    )
