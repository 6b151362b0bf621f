"""The admin's product editor page: details, stock and visibility, attributes, images and
delete (state: product_editor.py)."""

from __future__ import annotations

import reflex as rx

from admin.components.catalog_pickers import choice_select
from admin.components.layout import admin_page
from admin.pages.product_editor import (
    MAX_IMAGES,
    UPLOAD_ID,
    AttributeRow,
    ImageRow,
    ProductEditorState,
)
from backend.accounts.permissions import Permission
from ui.file_drop import file_drop_zone
from ui.forms import form_alert, labelled_input, success_note


def _field_error(field: str) -> rx.Var[str]:
    return ProductEditorState.errors.get(field, "")


def _details() -> rx.Component:
    state = ProductEditorState
    return rx.card(
        rx.vstack(
            rx.heading("Details", size="3", as_="h2"),
            labelled_input("Name", "name", _field_error("name"), default_value=state.name),
            rx.grid(
                labelled_input(
                    "SKU", "sku", _field_error("sku"), default_value=state.sku, hint="Unique"
                ),
                labelled_input(
                    "Price",
                    "price",
                    _field_error("price"),
                    default_value=state.price,
                    inputmode="decimal",
                ),
                labelled_input(
                    "Currency",
                    "currency",
                    _field_error("currency"),
                    default_value=state.currency,
                    max_length=3,
                ),
                columns="3",
                spacing="3",
                width="100%",
            ),
            rx.box(
                rx.el.label(
                    rx.text("Description", size="2", weight="medium"),
                    rx.text_area(
                        name="description",
                        id="description",
                        default_value=state.description,
                        rows="5",
                        width="100%",
                    ),
                    display="flex",
                    flex_direction="column",
                    gap="4px",
                ),
                rx.cond(
                    _field_error("description") != "",
                    rx.text(
                        _field_error("description"), color_scheme="tomato", size="2", role="alert"
                    ),
                ),
                width="100%",
            ),
            rx.grid(
                rx.box(
                    rx.text("Category", size="2", weight="medium"),
                    choice_select(
                        state.category_options,
                        label="Category",
                        name="category_id",
                        default_value=state.category,
                    ),
                    rx.cond(
                        _field_error("category_id") != "",
                        rx.text(
                            _field_error("category_id"),
                            color_scheme="tomato",
                            size="2",
                            role="alert",
                        ),
                    ),
                ),
                rx.box(
                    rx.text("Brand", size="2", weight="medium"),
                    choice_select(
                        state.brand_options, label="Brand", name="brand", default_value=state.brand
                    ),
                    rx.text(
                        rx.link("Manage brands", href="/admin/catalog"),
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.box(
                    rx.text("Tax class", size="2", weight="medium"),
                    choice_select(
                        state.tax_class_options,
                        label="Tax class",
                        name="tax_class",
                        default_value=state.tax_class,
                    ),
                    rx.text(
                        rx.link("Tax rates", href="/admin/taxes"), size="1", color_scheme="gray"
                    ),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _stock_and_visibility() -> rx.Component:
    state = ProductEditorState
    return rx.card(
        rx.vstack(
            rx.heading("Stock and visibility", size="3", as_="h2"),
            rx.grid(
                rx.cond(
                    state.is_new,
                    labelled_input(
                        "Initial stock",
                        "stock_quantity",
                        _field_error("stock_quantity"),
                        default_value=state.stock,
                        inputmode="numeric",
                    ),
                    rx.box(
                        rx.text("In stock", size="2", weight="medium"),
                        rx.text(state.stock, size="4", weight="bold"),
                        rx.link("Adjust in Inventory", href="/admin/inventory", size="1"),
                    ),
                ),
                labelled_input(
                    "Low-stock alert at",
                    "low_stock_threshold",
                    _field_error("low_stock_threshold"),
                    default_value=state.low_stock_threshold,
                    inputmode="numeric",
                    hint="Staff are alerted at or below this",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.el.label(
                rx.hstack(
                    rx.switch(checked=state.active, on_change=state.set_active),
                    rx.text(rx.cond(state.active, "Shown in the storefront", "Hidden"), size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _attribute_row(row: rx.Var[AttributeRow]) -> rx.Component:
    return rx.hstack(
        rx.input(
            name="attr_name_" + row.id,
            default_value=row.name,
            placeholder="colour",
            aria_label="Attribute name",
            width="40%",
        ),
        rx.input(
            name="attr_value_" + row.id,
            default_value=row.value,
            placeholder="red",
            aria_label="Attribute value",
            width="50%",
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            variant="ghost",
            color_scheme="gray",
            on_click=ProductEditorState.remove_attribute(row.id),
            aria_label="Remove attribute",
        ),
        key=row.id,
        width="100%",
        align="center",
    )


def _attributes() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Attributes", size="3", as_="h2"),
            rx.text(
                "Shown on the product page and used as filters (e.g. colour, material).",
                size="2",
                color_scheme="gray",
            ),
            rx.foreach(ProductEditorState.attributes, _attribute_row),
            rx.cond(
                _field_error("attributes") != "",
                rx.text(_field_error("attributes"), color_scheme="tomato", size="2", role="alert"),
            ),
            rx.button(
                rx.icon("plus", size=14),
                "Add attribute",
                type="button",
                variant="soft",
                on_click=ProductEditorState.add_attribute,
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _image_tile(image: rx.Var[ImageRow], index: rx.Var[int]) -> rx.Component:
    state = ProductEditorState
    return rx.vstack(
        rx.image(
            src=image.preview,
            alt="Product image " + (index + 1).to_string(),
            width="120px",
            height="120px",
            object_fit="cover",
            border_radius="var(--radius-2)",
            border=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("arrow-left", size=14),
                type="button",
                variant="soft",
                size="1",
                disabled=index == 0,
                on_click=state.move_image(image.url, -1),
                aria_label="Move image " + (index + 1).to_string() + " earlier",
            ),
            rx.icon_button(
                rx.icon("arrow-right", size=14),
                type="button",
                variant="soft",
                size="1",
                disabled=index == state.images.length() - 1,
                on_click=state.move_image(image.url, 1),
                aria_label="Move image " + (index + 1).to_string() + " later",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                type="button",
                variant="soft",
                color_scheme="tomato",
                size="1",
                on_click=state.remove_image(image.url),
                aria_label="Remove image " + (index + 1).to_string(),
            ),
            spacing="1",
        ),
        align="center",
        spacing="1",
    )


def _images() -> rx.Component:
    state = ProductEditorState
    return rx.card(
        rx.vstack(
            rx.heading("Images", size="3", as_="h2"),
            rx.text(
                "The first image is the main one. JPEG, PNG or WebP.", size="2", color_scheme="gray"
            ),
            rx.flex(rx.foreach(state.images, _image_tile), wrap="wrap", gap="12px"),
            file_drop_zone(
                UPLOAD_ID,
                label="Product images to upload",
                hint="Drop images here or click to choose",
                icon="image-plus",
                multiple=True,
                accept={
                    "image/jpeg": [".jpg", ".jpeg"],
                    "image/png": [".png"],
                    "image/webp": [".webp"],
                },
                max_files=MAX_IMAGES,
                padding="16px",
            ),
            rx.button(
                rx.icon("upload", size=14),
                "Upload chosen images",
                type="button",
                variant="soft",
                on_click=state.upload_images(rx.upload_files(upload_id=UPLOAD_ID)),
            ),
            rx.cond(
                state.image_error != "",
                rx.text(state.image_error, color_scheme="tomato", size="2", role="alert"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _delete_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Delete product", type="button", color_scheme="tomato", variant="soft")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this product?"),
            rx.alert_dialog.description(
                "It disappears from the storefront, search and carts. Past orders keep their "
                "lines. This cannot be undone; to stop selling it for now, hide it instead."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="tomato", on_click=ProductEditorState.delete)
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
    )


def _form() -> rx.Component:
    state = ProductEditorState
    return rx.form(
        rx.grid(
            rx.vstack(_details(), _attributes(), spacing="4", width="100%"),
            rx.vstack(_stock_and_visibility(), _images(), spacing="4", width="100%"),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                rx.cond(state.is_new, "Create product", "Save changes"), type="submit", size="3"
            ),
            rx.link("Back to products", href="/admin/products", size="2"),
            rx.spacer(),
            rx.cond(state.is_new, rx.fragment(), _delete_button()),
            align="center",
            width="100%",
            margin_top="16px",
        ),
        key=state.form_version.to_string(),
        on_submit=state.save,
        reset_on_submit=False,
        width="100%",
    )


def product_editor_page() -> rx.Component:
    state = ProductEditorState
    return admin_page(
        "Product",
        rx.vstack(
            rx.hstack(
                rx.heading(state.heading, size="5", as_="h2"),
                rx.cond(
                    state.storefront_url != "",
                    rx.link(
                        "View in storefront", href=state.storefront_url, size="2", is_external=True
                    ),
                ),
                rx.cond(
                    ~state.is_new & state.found,
                    rx.link(
                        "Options and variants",
                        href="/admin/products/" + state.product_id + "/variants",
                        size="2",
                    ),
                ),
                align="baseline",
                spacing="4",
            ),
            form_alert(state.message),
            success_note(state.done),
            rx.cond(state.found, _form()),
            spacing="4",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
