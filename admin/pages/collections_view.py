"""The collections page's look: the list, and the editor with its rule builder or its
ordered products (admin/pages/collections.py holds the state)."""

from __future__ import annotations

import reflex as rx

from admin.components.catalog_pickers import choice_select
from admin.components.layout import admin_page
from admin.components.row_actions import edit_and_delete
from admin.pages.collections import (
    FIELD_LABELS,
    CollectionListRow,
    CollectionsState,
    PickedProduct,
    RuleRow,
)
from backend.accounts.permissions import Permission
from ui.draggable import draggable_row
from ui.forms import bound_input, form_alert, save_or_cancel, success_note
from ui.tables import data_table

FIELD_CHOICES = [(field, label) for field, label in FIELD_LABELS.items()]


def _row(row: rx.Var[CollectionListRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.title, href=row.url, is_external=False)),
        rx.table.cell(row.kind),
        rx.table.cell(rx.text(row.rules, size="1", color_scheme="gray")),
        rx.table.cell(row.products, text_align="right"),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(
                    row.status, ("Active", "grass"), ("Scheduled", "blue"), "gray"
                ),
            )
        ),
        rx.table.cell(row.home, text_align="right"),
        rx.table.cell(
            edit_and_delete(
                row.title,
                on_edit=CollectionsState.edit(row.id),
                on_delete=CollectionsState.delete(row.id),
                consequence="Its page goes; its products stay in the catalog.",
            )
        ),
    )


def _rule_value(rule: rx.Var[RuleRow], index: rx.Var[int]) -> rx.Component:
    text_value = rx.input(
        default_value=rule.value,
        on_blur=lambda value: CollectionsState.set_rule_value(index, value),
        aria_label="Value of rule " + (index + 1).to_string(),
        placeholder=rx.match(
            rule.field,
            ("brand", "Nordwerk"),
            ("price", "50"),
            ("created", "30"),
            "Blue",
        ),
        key=rule.field + index.to_string(),
        width="160px",
    )
    return rx.match(
        rule.field,
        ("on_sale", rx.text("a variant has a compare-at price", size="2", color_scheme="gray")),
        (
            "category",
            choice_select(
                CollectionsState.categories,
                label="Category of rule " + (index + 1).to_string(),
                value=rule.value,
                on_change=lambda value: CollectionsState.set_rule_value(index, value),
                width="200px",
            ),
        ),
        (
            "attribute",
            rx.hstack(
                rx.input(
                    default_value=rule.name,
                    on_blur=lambda name: CollectionsState.set_rule_name(index, name),
                    aria_label="Attribute of rule " + (index + 1).to_string(),
                    placeholder="colour",
                    width="120px",
                ),
                rx.text("equals", size="2"),
                text_value,
                spacing="2",
                align="center",
            ),
        ),
        text_value,
    )


def _rule(rule: rx.Var[RuleRow], index: rx.Var[int]) -> rx.Component:
    error = CollectionsState.errors.get("rules." + index.to_string(), "")
    return rx.vstack(
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Condition of rule " + (index + 1).to_string()),
                rx.select.content(
                    *(rx.select.item(label, value=field) for field, label in FIELD_CHOICES)
                ),
                value=rule.field,
                on_change=lambda field: CollectionsState.set_rule_field(index, field),
            ),
            rx.cond(
                rule.field != "attribute",
                rx.select.root(
                    rx.select.trigger(aria_label="Operator of rule " + (index + 1).to_string()),
                    rx.select.content(
                        rx.foreach(
                            rule.operators,
                            lambda choice: rx.select.item(choice.label, value=choice.value),
                        )
                    ),
                    value=rule.operator,
                    on_change=lambda operator: CollectionsState.set_rule_operator(index, operator),
                ),
            ),
            _rule_value(rule, index),
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                on_click=CollectionsState.remove_rule(index),
                aria_label="Remove rule " + (index + 1).to_string(),
                type="button",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(error != "", rx.text(error, size="2", color_scheme="tomato", role="alert")),
        spacing="1",
    )


def _rules_editor() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Products that meet", size="2"),
            rx.select.root(
                rx.select.trigger(aria_label="Products must meet"),
                rx.select.content(
                    rx.select.item("all of these", value="all"),
                    rx.select.item("any of these", value="any"),
                ),
                value=CollectionsState.match,
                on_change=CollectionsState.set_match,
            ),
            spacing="2",
            align="center",
        ),
        rx.foreach(CollectionsState.rules, _rule),
        rx.button(
            rx.icon("plus", size=14),
            "Add a rule",
            variant="soft",
            size="2",
            type="button",
            on_click=CollectionsState.add_rule,
        ),
        rx.text(CollectionsState.matching, size="2", weight="medium", role="status"),
        spacing="3",
        width="100%",
    )


def _picked(product: rx.Var[PickedProduct], index: rx.Var[int]) -> rx.Component:
    """A hand-picked product: dragged to its place with the mouse, or moved by its
    buttons."""
    return draggable_row(
        _picked_line(product, index),
        on_pick_up=CollectionsState.pick_up_product(index),
        on_put_down=CollectionsState.put_down_product(index),
        data_testid="picked-product",
        width="100%",
    )


def _picked_line(product: rx.Var[PickedProduct], index: rx.Var[int]) -> rx.Component:
    return rx.hstack(
        rx.icon("grip-vertical", size=14, color=rx.color("gray", 9), aria_hidden="true"),
        rx.text((index + 1).to_string() + ".", size="2", color_scheme="gray", width="28px"),
        rx.text(product.name, size="2", flex="1"),
        rx.code(product.sku, size="1"),
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            variant="ghost",
            type="button",
            on_click=CollectionsState.move_product(index, -1),
            aria_label="Move " + product.name + " up",
            disabled=index == 0,
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            variant="ghost",
            type="button",
            on_click=CollectionsState.move_product(index, 1),
            aria_label="Move " + product.name + " down",
            disabled=index == CollectionsState.picked.length() - 1,
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="gray",
            type="button",
            on_click=CollectionsState.remove_product(index),
            aria_label="Remove " + product.name,
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _products_editor() -> rx.Component:
    return rx.vstack(
        rx.text("Products, in the order the storefront shows them", size="2", weight="medium"),
        rx.text("Drag a product to its place, or use its arrows.", size="1", color_scheme="gray"),
        rx.cond(
            CollectionsState.picked.length() == 0,
            rx.text("No products yet: find them below.", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(CollectionsState.picked, _picked), spacing="1", width="100%"),
        ),
        rx.cond(
            CollectionsState.errors.get("product_ids", "") != "",
            rx.text(
                CollectionsState.errors.get("product_ids", ""), color_scheme="tomato", size="2"
            ),
        ),
        rx.input(
            placeholder="Find a product by name or SKU",
            aria_label="Find a product to add",
            on_change=CollectionsState.search_products.debounce(300),
            width="100%",
            type="search",
        ),
        rx.foreach(
            CollectionsState.hits,
            lambda hit: rx.hstack(
                rx.text(hit.name, size="2", flex="1"),
                rx.code(hit.sku, size="1"),
                rx.button(
                    "Add",
                    size="1",
                    variant="soft",
                    type="button",
                    on_click=CollectionsState.add_product(hit.id),
                    aria_label="Add " + hit.name,
                ),
                align="center",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _editor() -> rx.Component:
    errors, values = CollectionsState.errors, CollectionsState.values
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(CollectionsState.editing_id == "", "New collection", "Edit collection"),
                    size="4",
                    as_="h2",
                ),
                rx.grid(
                    bound_input("Title", "title", errors=errors, values=values, id_prefix="c-"),
                    bound_input(
                        "Address",
                        "slug",
                        errors=errors,
                        values=values,
                        id_prefix="c-",
                        hint="/collections/… — empty: from the title",
                    ),
                    bound_input(
                        "Image address",
                        "image_url",
                        errors=errors,
                        values=values,
                        id_prefix="c-",
                        hint="https://… or an uploaded picture (/media/…)",
                    ),
                    bound_input(
                        "Place on the home page",
                        "home_position",
                        errors=errors,
                        values=values,
                        id_prefix="c-",
                        hint="1 first; empty: not on the home page",
                        input_mode="numeric",
                    ),
                    bound_input(
                        "Shown from (" + CollectionsState.time_zone + ")",
                        "starts_at",
                        errors=errors,
                        values=values,
                        id_prefix="c-",
                        type="datetime-local",
                        hint="Empty: at once",
                    ),
                    bound_input(
                        "Shown until (" + CollectionsState.time_zone + ")",
                        "ends_at",
                        errors=errors,
                        values=values,
                        id_prefix="c-",
                        type="datetime-local",
                        hint="Empty: no end",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(
                    rx.text("Description", size="2", weight="medium"),
                    rx.text_area(
                        name="description",
                        default_value=values["description"],
                        rows="3",
                        width="100%",
                    ),
                    display="flex",
                    flex_direction="column",
                    gap="4px",
                    width="100%",
                ),
                rx.box(
                    rx.text("Products", size="2", weight="medium"),
                    rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item("Hand-picked", value="manual"),
                            rx.radio_group.item("Matched by rules", value="rules"),
                            spacing="4",
                            align="center",
                        ),
                        value=CollectionsState.kind,
                        on_change=CollectionsState.set_kind,
                        aria_label="How products are chosen",
                    ),
                    width="100%",
                ),
                rx.cond(CollectionsState.kind == "rules", _rules_editor(), _products_editor()),
                save_or_cancel(
                    "Save collection",
                    editing=CollectionsState.editing,
                    on_cancel=CollectionsState.cancel,
                ),
                spacing="4",
                width="100%",
            ),
            key=CollectionsState.form_version.to_string(),
            on_submit=CollectionsState.save,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def collections_page() -> rx.Component:
    return admin_page(
        "Collections",
        rx.vstack(
            form_alert(CollectionsState.message),
            success_note(CollectionsState.done),
            rx.cond(
                CollectionsState.editing,
                _editor(),
                rx.button(
                    rx.icon("plus", size=16), "New collection", on_click=CollectionsState.new
                ),
            ),
            data_table(
                (
                    "Collection",
                    "Products chosen",
                    "Rules",
                    ("Products", "right"),
                    "Status",
                    ("Home page", "right"),
                    "",
                ),
                CollectionsState.rows,
                _row,
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
