"""The options-and-variants page's components (its state: `product_variants.py`)."""

from __future__ import annotations

import reflex as rx

from admin.components.layout import admin_page
from admin.pages.product_variants import (
    ImageChoice,
    OptionRow,
    ProductVariantsState,
    VariantRow,
)
from backend.accounts.permissions import Permission
from ui.forms import form_alert, success_note

state = ProductVariantsState


def _option_row(option: rx.Var[OptionRow], index: rx.Var[int]) -> rx.Component:
    label = "Option " + (index + 1).to_string()
    return rx.hstack(
        rx.input(
            default_value=option.name,
            placeholder="Size",
            on_blur=lambda value: state.set_option(option.key, "name", value),
            aria_label=label + " name",
            width="160px",
        ),
        rx.input(
            default_value=option.values_text,
            placeholder="S, M, L, XL",
            on_blur=lambda value: state.set_option(option.key, "values_text", value),
            aria_label=label + " values",
            flex="1",
        ),
        rx.icon_button(
            rx.icon("x", size=16),
            type="button",
            variant="ghost",
            color_scheme="gray",
            on_click=state.remove_option(option.key),
            aria_label="Remove " + label.to_string(),
        ),
        spacing="2",
        width="100%",
        key=option.key,
    )


def _options() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Options", size="3", as_="h2"),
            rx.text(
                "Up to 3 (e.g. Size, Colour, Material); values separated by commas, in the "
                "order shoppers see them.",
                size="2",
                color_scheme="gray",
            ),
            rx.foreach(state.options, _option_row),
            rx.hstack(
                rx.button(
                    rx.icon("plus", size=16),
                    "Add option",
                    type="button",
                    variant="soft",
                    on_click=state.add_option,
                    disabled=state.options.length() >= 3,
                ),
                rx.button("Generate variants", type="button", on_click=state.generate),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _cell_input(
    row: rx.Var[VariantRow], field: str, value: rx.Var[str], label: str, width: str
) -> rx.Component:
    return rx.input(
        default_value=value,
        on_blur=lambda typed: state.set_cell(row.key, field, typed),
        aria_label=label + " of " + row.title,
        width=width,
        size="1",
    )


def _image_choice(choice: rx.Var[ImageChoice]) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def _variant_row(row: rx.Var[VariantRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=row.selected,
                on_change=lambda checked: state.set_flag(row.key, "selected", checked),
                aria_label="Select " + row.title,
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.title, weight="medium"),
                rx.cond(row.error != "", rx.text(row.error, color_scheme="tomato", size="1")),
                spacing="0",
            )
        ),
        rx.table.cell(_cell_input(row, "sku", row.sku, "SKU", "150px")),
        rx.table.cell(_cell_input(row, "price", row.price, "Price", "90px")),
        rx.table.cell(_cell_input(row, "compare_at", row.compare_at, "Compare-at price", "90px")),
        rx.table.cell(
            rx.cond(
                row.id == "",
                _cell_input(row, "stock", row.stock, "First stock", "70px"),
                rx.text(row.stock, size="2"),
            )
        ),
        rx.table.cell(_cell_input(row, "barcode", row.barcode, "Barcode", "120px")),
        rx.table.cell(_cell_input(row, "weight", row.weight, "Weight in grams", "70px")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(aria_label="Picture of " + row.title),
                rx.select.content(rx.foreach(state.images, _image_choice)),
                value=row.image,
                on_change=lambda value: state.set_cell(row.key, "image", value),
                size="1",
            )
        ),
        rx.table.cell(
            rx.switch(
                checked=row.active,
                on_change=lambda on: state.set_flag(row.key, "active", on),
                aria_label="On sale: " + row.title,
            )
        ),
        rx.table.cell(
            rx.cond(
                state.default_key == row.key,
                rx.badge("Default"),
                rx.button(
                    "Make default",
                    type="button",
                    size="1",
                    variant="ghost",
                    on_click=state.set_default(row.key),
                    aria_label="Make " + row.title + " the default",
                ),
            )
        ),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                type="button",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=state.remove_row(row.key),
                aria_label="Remove " + row.title,
            )
        ),
        key=row.key,
    )


def _bulk_choice(choice: rx.Var[ImageChoice]) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def _bulk_tool() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Rows to change"),
                rx.select.content(rx.foreach(state.bulk_choices, _bulk_choice)),
                value=state.bulk_option,
                on_change=state.choose_bulk_rows,
                size="2",
            ),
            rx.input(
                name="bulk_price",
                placeholder="Price",
                aria_label="Price for the selected rows",
                width="110px",
            ),
            rx.input(
                name="bulk_compare_at",
                placeholder="Compare-at",
                aria_label="Compare-at price for the selected rows",
                width="110px",
            ),
            rx.button("Apply to selected rows", type="submit", variant="soft"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        on_submit=state.apply_bulk,
        reset_on_submit=True,
    )


def _variants() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Variants", size="3", as_="h2"),
            _bulk_tool(),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *(
                                rx.table.column_header_cell(title)
                                for title in (
                                    "",
                                    "Variant",
                                    "SKU",
                                    "Price",
                                    "Compare-at",
                                    "Stock",
                                    "Barcode",
                                    "Grams",
                                    "Picture",
                                    "On sale",
                                    "",
                                    "",
                                )
                            )
                        )
                    ),
                    rx.table.body(rx.foreach(state.rows, _variant_row)),
                    size="1",
                    key=state.table_version.to_string(),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(
                "Existing variants' stock changes on the inventory page (the change is recorded).",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def product_variants_page() -> rx.Component:
    return admin_page(
        "Options and variants",
        rx.vstack(
            rx.hstack(
                rx.heading(state.product_name, size="5", as_="h2"),
                rx.link(
                    "Back to the product", href="/admin/products/" + state.product_id, size="2"
                ),
                align="baseline",
                spacing="4",
            ),
            form_alert(state.message),
            success_note(state.done),
            rx.cond(
                state.found,
                rx.vstack(
                    _options(),
                    _variants(),
                    rx.button("Save variants", type="button", size="3", on_click=state.save),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
