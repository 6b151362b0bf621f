"""Admin: a product's options and variants. Options (up to 3) with their values, "Generate
variants" for every combination (rows already there keep what they hold), a table with
one row per variant (SKU, price, compare-at price, first stock of a new one, barcode,
weight, picture, on sale, default), and a bulk tool: choose rows by an option value and
set their price or compare-at price at once. Saving sends the whole set to one catalog
service (`catalog.variants.save_variants`), which validates it and writes the audit log.
Administrators only.

The table's inputs report each change on blur, so what Generate and Save read is what the
admin typed.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import reflex as rx

from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import queries as catalog
from backend.catalog.models import MAX_OPTIONS
from backend.catalog.variant_inputs import OptionInput, variant_matrix
from backend.catalog.variants import save_variants
from backend.core.errors import DomainError, InvalidInputError, NotFoundError

NO_IMAGE = "none"
ALL_ROWS = "*"
# What one row's cell may be set to (on blur), by field.
_ROW_FIELDS = ("sku", "price", "compare_at", "stock", "barcode", "weight", "image")


@dataclasses.dataclass(frozen=True)
class OptionRow:
    key: str
    name: str
    values_text: str  # comma-separated, in the order shoppers see them ("values": a
    # method of Reflex's object vars)


@dataclasses.dataclass(frozen=True)
class VariantRow:
    key: str  # keeps each row's inputs in place when rows come and go
    id: str  # "" for a new variant
    title: str  # "M / Navy"
    option_values: list[str]
    sku: str
    price: str
    compare_at: str
    stock: str  # only new variants take a count here
    barcode: str
    weight: str
    image: str  # one of the product's pictures, or NO_IMAGE
    active: bool
    selected: bool  # for the bulk tool
    error: str


@dataclasses.dataclass(frozen=True)
class ImageChoice:
    value: str
    label: str


def _key() -> str:
    return uuid.uuid4().hex[:12]


def _values_of(text: str) -> list[str]:
    seen: list[str] = []
    for value in (part.strip() for part in text.split(",")):
        if value and value.lower() not in {known.lower() for known in seen}:
            seen.append(value[:60])
    return seen


class ProductVariantsState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    product_id: str = ""
    found: bool = True
    product_name: str = ""
    base_sku: str = ""
    base_price: str = ""
    options: list[OptionRow] = []
    rows: list[VariantRow] = []
    default_key: str = ""
    images: list[ImageChoice] = []
    bulk_option: str = ALL_ROWS  # "<option index>:<value>" or ALL_ROWS
    bulk_choices: list[ImageChoice] = []
    table_version: int = 0
    message: str = ""
    done: str = ""

    @rx.event
    async def load(self) -> None:
        self.message, self.done, self.found = "", "", True
        segments = self.router.url.path.rstrip("/").split("/")
        self.product_id = segments[-2][:40] if len(segments) >= 2 else ""
        try:
            record = await catalog.get_product(uuid.UUID(self.product_id))
        except (ValueError, NotFoundError):
            self.found, self.message = False, "There is no such product."
            return
        self.product_name = record.summary.name
        self.base_sku, self.base_price = record.summary.sku, str(record.summary.price)
        self.images = [ImageChoice(NO_IMAGE, "The product's pictures")] + [
            ImageChoice(url, f"Picture {index}") for index, url in enumerate(record.image_urls, 1)
        ]
        self.options = [
            OptionRow(_key(), option.name, ", ".join(v.value for v in option.values))
            for option in record.options
        ]
        self.rows = [
            VariantRow(
                key=_key(),
                id=str(variant.id),
                title=variant.title or "(no options)",
                option_values=list(variant.option_values),
                sku=variant.sku,
                price=str(variant.price),
                compare_at=str(variant.compare_at_price or ""),
                stock=str(variant.stock_quantity),
                barcode=variant.barcode or "",
                weight=str(variant.weight_grams or ""),
                image=variant.image_urls[0] if variant.image_urls else NO_IMAGE,
                active=variant.is_active,
                selected=False,
                error="",
            )
            for variant in record.variants
        ]
        default = next((v for v in record.variants if v.is_default), None)
        self.default_key = next(
            (row.key for row in self.rows if default and row.id == str(default.id)), ""
        )
        self._refresh_bulk_choices()
        self.table_version += 1

    def _refresh_bulk_choices(self) -> None:
        choices = [ImageChoice(ALL_ROWS, "All rows")]
        for index, option in enumerate(self.options):
            for value in _values_of(option.values_text):
                choices.append(ImageChoice(f"{index}:{value}", f"{option.name}: {value}"))
        self.bulk_choices = choices

    # --- options ------------------------------------------------------------------------------

    @rx.event
    def add_option(self) -> None:
        if len(self.options) < MAX_OPTIONS:
            self.options = [*self.options, OptionRow(_key(), "", "")]

    @rx.event
    def remove_option(self, key: str) -> None:
        self.options = [option for option in self.options if option.key != str(key)]

    @rx.event
    def set_option(self, key: str, field: str, value: str) -> None:
        if field not in ("name", "values_text"):
            return
        self.options = [
            dataclasses.replace(option, **{field: str(value)[:2000]})
            if option.key == str(key)
            else option
            for option in self.options
        ]
        self._refresh_bulk_choices()

    @rx.event
    def generate(self) -> None:
        """Every combination of the options' values: rows already there stay as they are
        (matched by their values), new ones start from the product's SKU and price."""
        self.message, self.done = "", ""
        options = [(option.name.strip(), _values_of(option.values_text)) for option in self.options]
        if not options or any(not name or not values for name, values in options):
            self.message = "Give each option a name and at least one value."
            return
        try:
            combinations = variant_matrix(
                [OptionInput(name=name, values=values) for name, values in options]
            )
        except ValueError as error:
            self.message = str(error)
            return
        existing = {tuple(v.lower() for v in row.option_values): row for row in self.rows}
        single = len(self.rows) == 1 and not self.rows[0].option_values
        rows = []
        for index, combination in enumerate(combinations):
            found = existing.get(tuple(value.lower() for value in combination))
            if found is None and single and index == 0:
                found = self.rows[0]  # the product's one variant becomes the first
            suffix = "-".join(value.upper().replace(" ", "")[:8] for value in combination)
            rows.append(
                dataclasses.replace(
                    found,
                    option_values=list(combination),
                    title=" / ".join(combination),
                )
                if found is not None
                else VariantRow(
                    key=_key(),
                    id="",
                    title=" / ".join(combination),
                    option_values=list(combination),
                    sku=f"{self.base_sku}-{suffix}"[:50],
                    price=self.base_price,
                    compare_at="",
                    stock="0",
                    barcode="",
                    weight="",
                    image=NO_IMAGE,
                    active=True,
                    selected=False,
                    error="",
                )
            )
        self.rows = rows
        if self.default_key not in {row.key for row in rows}:
            self.default_key = rows[0].key if rows else ""
        self.table_version += 1

    # --- the table ----------------------------------------------------------------------------

    @rx.event
    def set_cell(self, key: str, field: str, value: str) -> None:
        if field not in _ROW_FIELDS:
            return
        self.rows = [
            dataclasses.replace(row, **{field: str(value)[:200].strip(), "error": ""})
            if row.key == str(key)
            else row
            for row in self.rows
        ]

    @rx.event
    def set_flag(self, key: str, field: str, value: bool) -> None:
        if field not in ("active", "selected"):
            return
        self.rows = [
            dataclasses.replace(row, **{field: bool(value)}) if row.key == str(key) else row
            for row in self.rows
        ]

    @rx.event
    def set_default(self, key: str) -> None:
        if str(key) in {row.key for row in self.rows}:
            self.default_key = str(key)

    @rx.event
    def remove_row(self, key: str) -> None:
        if len(self.rows) > 1:
            self.rows = [row for row in self.rows if row.key != str(key)]
            if self.default_key == str(key):
                self.default_key = self.rows[0].key

    @rx.event
    def choose_bulk_rows(self, choice: str) -> None:
        """Select the rows having an option value ("Size: XL"), or all of them."""
        self.bulk_option = str(choice)
        index_text, _, value = str(choice).partition(":")
        self.rows = [
            dataclasses.replace(
                row,
                selected=choice == ALL_ROWS
                or (
                    index_text.isdigit()
                    and int(index_text) < len(row.option_values)
                    and row.option_values[int(index_text)] == value
                ),
            )
            for row in self.rows
        ]

    @rx.event
    def apply_bulk(self, form_data: dict[str, Any]) -> None:
        """Set the price and/or compare-at price of the selected rows (saved with Save)."""
        self.message, self.done = "", ""
        price = str(form_data.get("bulk_price") or "").strip()[:20]
        compare_at = str(form_data.get("bulk_compare_at") or "").strip()[:20]
        chosen = [row for row in self.rows if row.selected]
        if not chosen or not (price or compare_at):
            self.message = "Select rows, and give a price or a compare-at price."
            return
        self.rows = [
            dataclasses.replace(
                row,
                price=price or row.price,
                compare_at=compare_at or row.compare_at,
            )
            if row.selected
            else row
            for row in self.rows
        ]
        self.done = f"Set for {len(chosen)} rows: save to keep it."
        self.table_version += 1

    # --- save ---------------------------------------------------------------------------------

    @rx.event
    async def save(self) -> None:
        self.message, self.done = "", ""
        options = [
            {"name": option.name.strip(), "values": _values_of(option.values_text)}
            for option in self.options
        ]
        default = next((row for row in self.rows if row.key == self.default_key), None)
        payload = {
            "options": options,
            "variants": [
                {
                    "id": row.id or None,
                    "sku": row.sku,
                    "price": row.price or None,
                    "compare_at_price": row.compare_at or None,
                    "option_values": row.option_values,
                    "stock_quantity": (row.stock or "0") if not row.id else 0,
                    "barcode": row.barcode or None,
                    "weight_grams": row.weight or None,
                    "image_urls": [] if row.image == NO_IMAGE else [row.image],
                    "is_active": row.active,
                }
                for row in self.rows
            ],
            "default_sku": default.sku if default else None,
        }
        try:
            await save_variants(uuid.UUID(self.product_id), payload, actor=self.staff_viewer)
        except InvalidInputError as error:
            self.message = error.message
            self._show_row_errors(error.field_errors)
            return
        except (DomainError, ValueError) as error:
            self.message = getattr(error, "message", "") or "The variants could not be saved."
            return
        await self.load()
        self.done = "Variants saved."

    def _show_row_errors(self, field_errors: dict[str, str]) -> None:
        by_row: dict[int, str] = {}
        general = []
        for field, text in field_errors.items():
            parts = field.split(".")
            if len(parts) >= 3 and parts[0] == "variants" and parts[1].isdigit():
                by_row.setdefault(int(parts[1]), f"{parts[2].replace('_', ' ')}: {text}")
            else:
                general.append(text)
        self.rows = [
            dataclasses.replace(row, error=by_row.get(index, ""))
            for index, row in enumerate(self.rows)
        ]
        if general:
            self.message = " ".join([self.message, *general]).strip()
