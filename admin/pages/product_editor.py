"""Admin product form: create a product or edit one — fields with their own messages,
category and brand pickers, an attributes editor, images (upload several, reorder,
remove), show/hide, delete after confirmation. Administrators only; the catalog
services check the role again, validate, and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import reflex as rx

from admin.components.catalog_pickers import ANY, Choice, category_choices
from admin.state import AdminState
from backend.accounts.permissions import Permission
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
from backend.tax.services import list_tax_classes

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


class ProductEditorState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

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
    tax_class: str = "standard"
    stock: str = "0"
    low_stock_threshold: str = "5"
    active: bool = True
    attributes: list[AttributeRow] = []
    images: list[ImageRow] = []
    category_options: list[Choice] = []
    brand_options: list[Choice] = []
    tax_class_options: list[Choice] = []
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
        self.tax_class_options = [
            Choice(tax_class.code, tax_class.name) for tax_class in await list_tax_classes()
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
        self.tax_class = record.tax_class
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
        self.tax_class = "standard"
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
            "tax_class": text.get("tax_class") or "standard",
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
