"""The admin's catalog structure page: the category tree with its forms, and the brands
(state: catalog_structure.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from admin.components.catalog_pickers import choice_select
from admin.components.layout import admin_page
from admin.pages.catalog_structure import (
    BrandItem,
    CatalogStructureState,
    CategoryItem,
)
from backend.accounts.permissions import Permission
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table


def _delete_button(item_id: rx.Var[str], name: rx.Var[str], on_click: Any) -> rx.Component:
    waiting = CatalogStructureState.confirm_delete == item_id
    return rx.button(
        rx.cond(waiting, "Confirm delete", "Delete"),
        size="1",
        variant=rx.cond(waiting, "solid", "soft"),
        color_scheme="tomato",
        on_click=on_click,
        aria_label=rx.cond(waiting, "Confirm delete ", "Delete ") + name,
    )


def _category_row(item: rx.Var[CategoryItem]) -> rx.Component:
    state = CatalogStructureState
    return rx.table.row(
        rx.table.row_header_cell(rx.text(item.name, padding_left=item.indent, weight="medium")),
        rx.table.cell(rx.code(item.slug, variant="ghost")),
        rx.table.cell(item.products, text_align="right"),
        rx.table.cell(item.subcategories, text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.icon_button(
                    rx.icon("arrow-up", size=14),
                    size="1",
                    variant="soft",
                    on_click=state.move_category(item.id, -1),
                    aria_label="Move up " + item.name,
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=14),
                    size="1",
                    variant="soft",
                    on_click=state.move_category(item.id, 1),
                    aria_label="Move down " + item.name,
                ),
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=state.edit_category(item.id),
                    aria_label="Edit " + item.name,
                ),
                _delete_button(item.id, item.name, state.delete_category(item.id)),
                spacing="2",
            )
        ),
    )


def _category_form() -> rx.Component:
    state = CatalogStructureState
    errors = state.category_errors
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(state.editing_id == "", "New category", "Edit category"), size="3", as_="h2"
            ),
            rx.grid(
                labelled_input(
                    "Name", "name", errors.get("name", ""), default_value=state.edit_name
                ),
                labelled_input(
                    "Address (slug)",
                    "slug",
                    errors.get("slug", ""),
                    default_value=state.edit_slug,
                    hint="Empty: made from the name",
                ),
                rx.box(
                    rx.text("Parent", size="2", weight="medium"),
                    choice_select(
                        state.parent_options,
                        label="Parent category",
                        name="parent_id",
                        default_value=state.edit_parent,
                        any_label="Top level",
                    ),
                    rx.cond(
                        errors.get("parent_id", "") != "",
                        rx.text(
                            errors.get("parent_id", ""),
                            color_scheme="tomato",
                            size="2",
                            role="alert",
                        ),
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            labelled_input(
                "Description",
                "description",
                errors.get("description", ""),
                default_value=state.edit_description,
            ),
            rx.hstack(
                rx.button(
                    rx.cond(state.editing_id == "", "Create category", "Save category"),
                    type="submit",
                ),
                rx.cond(
                    state.editing_id != "",
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.cancel_category_edit,
                    ),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        key=state.category_version.to_string(),
        on_submit=state.save_category,
        reset_on_submit=False,
        width="100%",
    )


def _brand_row(item: rx.Var[BrandItem]) -> rx.Component:
    state = CatalogStructureState
    return rx.table.row(
        rx.table.row_header_cell(item.name),
        rx.table.cell(item.products, text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Rename",
                    size="1",
                    variant="soft",
                    on_click=state.edit_brand(item.id),
                    aria_label="Rename " + item.name,
                ),
                _delete_button(item.id, item.name, state.delete_brand(item.id)),
                spacing="2",
            )
        ),
    )


def _brand_form() -> rx.Component:
    state = CatalogStructureState
    return rx.form(
        rx.hstack(
            rx.box(
                labelled_input(
                    rx.cond(state.editing_brand == "", "New brand", "Rename brand"),  # type: ignore[arg-type]
                    "brand_name",
                    state.brand_errors.get("brand_name", ""),
                    default_value=state.edit_brand_name,
                ),
                width="280px",
            ),
            rx.button(rx.cond(state.editing_brand == "", "Add brand", "Save brand"), type="submit"),
            rx.cond(
                state.editing_brand != "",
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=state.cancel_brand_edit,
                ),
            ),
            align="end",
            spacing="2",
        ),
        key=state.brand_version.to_string(),
        on_submit=state.save_brand,
        reset_on_submit=False,
    )


def catalog_structure_page() -> rx.Component:
    state = CatalogStructureState
    return admin_page(
        "Categories & brands",
        rx.vstack(
            form_alert(state.message),
            success_note(state.done),
            rx.card(_category_form(), width="100%"),
            data_table(
                (
                    "Category",
                    "Address",
                    ("Products", "right"),
                    ("Subcategories", "right"),
                    "Actions",
                ),
                state.categories,
                _category_row,
            ),
            rx.heading("Brands", size="4", as_="h2", margin_top="16px"),
            _brand_form(),
            data_table(("Brand", ("Products", "right"), "Actions"), state.brands, _brand_row),
            spacing="4",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
