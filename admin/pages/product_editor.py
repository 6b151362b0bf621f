"""Admin product form: create a product or edit one — fields with their own messages,
category and brand pickers, an attributes editor, images (upload several, reorder,
remove), show/hide, delete after confirmation. Administrators only; the catalog
services check the role again, validate, and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import reflex as rx

from admin.components.catalog_pickers import ANY, Choice, category_choices, choice_select
from admin.components.layout import admin_page
from admin.state import AdminOnlyAreaState
from backend.catalog import category_queries
from backend.catalog import queries as catalog
from backend.catalog import services as catalog_services
from backend.catalog.inputs import MAX_ATTRIBUTES
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.media import services as media
from backend.media.errors import InvalidImageError
from backend.media.images import MAX_IMAGE_BYTES
from backend.media.thumbnails import thumbnail_url
from backend.settings import get_settings
from ui.forms import form_alert, labelled_input, success_note

UPLOAD_ID = "product_images"
MAX_IMAGES = 12
NO_BRAND = "—"


@dataclasses.dataclass(frozen=True)
class AttributeRow:
    id: str  # keeps each row's inputs in place when another row is removed
    name: str
    value: str


@dataclasses.dataclass(frozen=True)
class ImageRow:
    url: str
    preview: str


def _new_row(name: str = "", value: str = "") -> AttributeRow:
    return AttributeRow(id=uuid.uuid4().hex[:12], name=name, value=value)


def _image_row(url: str) -> ImageRow:
    return ImageRow(url=url, preview=thumbnail_url(url, 160))


class ProductEditorState(AdminOnlyAreaState):
    product_id: str = ""
    is_new: bool = True
    found: bool = True
    heading: str = "New product"
    storefront_url: str = ""
    # The form's starting values (inputs are uncontrolled; `form_version` re-renders them).
    name: str = ""
    sku: str = ""
    description: str = ""
    price: str = ""
    currency: str = ""
    category: str = ""
    brand: str = NO_BRAND
    stock: str = "0"
    low_stock_threshold: str = "5"
    active: bool = True
    attributes: list[AttributeRow] = []
    images: list[ImageRow] = []
    category_options: list[Choice] = []
    brand_options: list[Choice] = []
    form_version: int = 0
    errors: dict[str, str] = {}
    image_error: str = ""
    message: str = ""
    done: str = ""

    def _product_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.product_id)
        except ValueError:
            return None

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.image_error, self.found = {}, "", "", True
        tree = await category_queries.get_category_tree()
        self.category_options = category_choices(tree)
        self.brand_options = [
            Choice(NO_BRAND, "No brand"),
            *(Choice(name, name) for name in await catalog.list_brand_names()),
        ]
        last_segment = self.router.url.path.rstrip("/").rpartition("/")[2][:40]
        self.form_version += 1
        if last_segment == "new":
            self._start_new()
            return
        self.done = self.done if self.product_id == last_segment else ""
        self.product_id = last_segment
        product_id = self._product_uuid()
        try:
            if product_id is None:
                raise NotFoundError("There is no such product.")
            record = await catalog.get_product(product_id)
        except NotFoundError:
            self.found, self.heading = False, "Product not found"
            self.message = "There is no such product: it may have been deleted."
            return
        summary = record.summary
        self.is_new, self.heading = False, summary.name
        self.storefront_url = f"/products/{summary.slug}"
        self.name, self.sku, self.description = summary.name, summary.sku, record.description
        self.price, self.currency = str(summary.price), summary.currency
        self.category = str(record.category_id)
        self.brand = summary.brand or NO_BRAND
        self.stock = str(summary.stock_quantity)
        self.low_stock_threshold = str(summary.low_stock_threshold)
        self.active = summary.is_active
        self.attributes = [_new_row(k, v) for k, v in record.attributes.items()]
        self.images = [_image_row(url) for url in record.image_urls]

    def _start_new(self) -> None:
        self.product_id, self.is_new, self.heading, self.storefront_url = (
            "",
            True,
            "New product",
            "",
        )
        self.name = self.sku = self.description = self.price = ""
        self.currency = get_settings().shop_currency
        self.category = self.category_options[0].value if self.category_options else ""
        self.brand, self.stock, self.low_stock_threshold = NO_BRAND, "0", "5"
        self.active, self.attributes, self.images, self.done = True, [_new_row()], [], ""

    # --- attributes and images (kept in the state until Save) -------------------------------

    @rx.event
    def add_attribute(self) -> None:
        if len(self.attributes) < MAX_ATTRIBUTES:
            self.attributes = [*self.attributes, _new_row()]

    @rx.event
    def remove_attribute(self, row_id: str) -> None:
        self.attributes = [row for row in self.attributes if row.id != str(row_id)]

    @rx.event
    def set_active(self, active: bool) -> None:
        self.active = bool(active)

    @rx.event
    async def upload_images(self, files: list[rx.UploadFile]) -> None:
        self.image_error = ""
        for upload in files[: max(0, MAX_IMAGES - len(self.images))]:
            data = await upload.read(MAX_IMAGE_BYTES + 1)
            try:
                stored = await media.upload_image(data)
            except InvalidImageError as error:
                self.image_error = f"{upload.filename or 'A file'}: {error.message}"
                continue
            if stored.url not in {image.url for image in self.images}:
                self.images = [*self.images, _image_row(stored.url)]
        if len(files) > MAX_IMAGES - len(self.images) and not self.image_error:
            self.image_error = f"A product has at most {MAX_IMAGES} images."

    @rx.event
    def move_image(self, url: str, offset: int) -> None:
        urls = [image.url for image in self.images]
        if str(url) not in urls or offset not in (-1, 1):
            return
        index = urls.index(str(url))
        target = max(0, min(len(urls) - 1, index + offset))
        images = list(self.images)
        images.insert(target, images.pop(index))
        self.images = images

    @rx.event
    def remove_image(self, url: str) -> None:
        self.images = [image for image in self.images if image.url != str(url)]

    # --- save and delete ----------------------------------------------------------------------

    def _attributes_from(self, form_data: dict[str, Any]) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for row in self.attributes:
            name = str(form_data.get(f"attr_name_{row.id}") or "").strip()[:60]
            value = str(form_data.get(f"attr_value_{row.id}") or "").strip()[:200]
            if name or value:
                attributes[name or "(no name)"] = value
        return attributes

    @rx.event
    async def save(self, form_data: dict[str, Any]) -> Any:
        self.errors, self.message, self.done = {}, "", ""
        text = {key: str(value)[:10_000] for key, value in form_data.items()}
        brand = text.get("brand", NO_BRAND)
        values: dict[str, Any] = {
            "name": text.get("name", ""),
            "sku": text.get("sku", ""),
            "description": text.get("description", "").strip() or None,
            "price": text.get("price", "").strip() or None,
            "currency": text.get("currency", ""),
            "category_id": text.get("category_id") if text.get("category_id") != ANY else None,
            "brand": None if brand in ("", NO_BRAND) else brand,
            "low_stock_threshold": text.get("low_stock_threshold", "").strip() or None,
            "attributes": self._attributes_from(form_data),
            "image_urls": [image.url for image in self.images],
            "is_active": self.active,
        }
        if self.is_new:
            values["stock_quantity"] = text.get("stock_quantity", "").strip() or "0"
        try:
            if self.is_new:
                product_id = await catalog_services.create_product(values, actor=self.staff_viewer)
            else:
                product_id = self._product_uuid()  # type: ignore[assignment]
                if product_id is None:
                    raise NotFoundError("There is no such product.")
                await catalog_services.update_product(product_id, values, actor=self.staff_viewer)
        except InvalidInputError as error:
            self.errors = {
                key.split(".")[0]: message for key, message in error.field_errors.items()
            }
            self.message = error.message
            return None
        except DomainError as error:
            field = str(error.data.get("field") or "")
            self.errors = {field: error.message} if field else {}
            self.message = error.message
            return None
        self.done = "Product saved."
        if self.is_new:
            self.product_id = str(product_id)
            return rx.redirect(f"/admin/products/{product_id}")
        self.heading = values["name"].strip() or self.heading
        return None

    @rx.event
    async def delete(self) -> Any:
        product_id = self._product_uuid()
        if product_id is None:
            return None
        try:
            await catalog_services.delete_product(product_id, actor=self.staff_viewer)
        except DomainError as error:
            self.message = error.message
            return None
        return rx.redirect("/admin/products")


# --- the page -------------------------------------------------------------------------------


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
            rx.upload(
                rx.vstack(
                    rx.icon("image-plus", size=22),
                    rx.text("Drop images here or click to choose", size="2"),
                    rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="1")),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                multiple=True,
                accept={
                    "image/jpeg": [".jpg", ".jpeg"],
                    "image/png": [".png"],
                    "image/webp": [".webp"],
                },
                max_files=MAX_IMAGES,
                border=f"1px dashed {rx.color('gray', 7)}",
                padding="16px",
                width="100%",
                cursor="pointer",
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
                align="baseline",
                spacing="4",
            ),
            form_alert(state.message),
            success_note(state.done),
            rx.cond(state.found, _form()),
            spacing="4",
            width="100%",
        ),
        admins_only=True,
    )
