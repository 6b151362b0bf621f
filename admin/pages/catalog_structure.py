"""Admin categories and brands: create, edit, nest, reorder, delete (refused, with the
reason, while products use one). Administrators only; `catalog.taxonomy` checks again."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable
from typing import Any, ClassVar

import reflex as rx

from admin.components.catalog_pickers import ANY, Choice
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import brands as brand_services
from backend.catalog import taxonomy
from backend.catalog.inputs import BrandCreate, CategoryCreate, CategoryUpdate
from backend.core.errors import DomainError, InvalidInputError
from backend.core.validation import parse_input


@dataclasses.dataclass(frozen=True)
class CategoryItem:
    id: str
    name: str
    indent: str  # the name's left padding, by depth
    slug: str
    description: str
    parent: str
    products: int
    subcategories: int


@dataclasses.dataclass(frozen=True)
class BrandItem:
    id: str
    name: str
    products: int


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class CatalogStructureState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    categories: list[CategoryItem] = []
    parent_options: list[Choice] = []
    brands: list[BrandItem] = []
    # The category form: new (editing_id "") or an existing one.
    editing_id: str = ""
    edit_name: str = ""
    edit_slug: str = ""
    edit_description: str = ""
    edit_parent: str = ANY
    category_version: int = 0
    category_errors: dict[str, str] = {}
    confirm_delete: str = ""  # the id waiting for a second click
    # The brand form: new (editing_brand "") or a rename.
    editing_brand: str = ""
    edit_brand_name: str = ""
    brand_version: int = 0
    brand_errors: dict[str, str] = {}
    message: str = ""
    done: str = ""

    async def _reload(self) -> None:
        actor = self.viewer
        if actor is None:
            return
        rows = await taxonomy.list_categories(actor)
        names = {row.id: row.name for row in rows}
        self.categories = [
            CategoryItem(
                id=str(row.id),
                name=row.name,
                indent=f"{row.depth * 24}px",
                slug=row.slug,
                description=row.description,
                parent=str(row.parent_id) if row.parent_id else ANY,
                products=row.product_count,
                subcategories=row.child_count,
            )
            for row in rows
        ]
        self.parent_options = [
            Choice(str(row.id), "\u2003" * row.depth + names[row.id]) for row in rows
        ]
        self.brands = [
            BrandItem(id=str(b.id), name=b.name, products=b.product_count)
            for b in await brand_services.list_brands(actor)
        ]

    @rx.event
    async def load(self) -> None:
        self.message, self.done, self.confirm_delete = "", "", ""
        self._reset_category_form()
        self._reset_brand_form()
        await self._reload()

    async def _run(self, change: Awaitable[Any], done: str) -> bool:
        self.message, self.done = "", ""
        try:
            await change
        except DomainError as error:
            self.message = error.message
            return False
        self.done = done
        await self._reload()
        return True

    # --- categories ---------------------------------------------------------------------------

    def _reset_category_form(self) -> None:
        self.editing_id, self.edit_name, self.edit_slug = "", "", ""
        self.edit_description, self.edit_parent, self.category_errors = "", ANY, {}
        self.category_version += 1

    @rx.event
    def edit_category(self, category_id: str) -> None:
        item = next((c for c in self.categories if c.id == str(category_id)), None)
        if item is None:
            return
        self.editing_id, self.edit_name, self.edit_slug = item.id, item.name, item.slug
        self.edit_description, self.edit_parent = item.description, item.parent
        self.category_errors, self.confirm_delete = {}, ""
        self.category_version += 1

    @rx.event
    def cancel_category_edit(self) -> None:
        self._reset_category_form()

    @rx.event
    async def save_category(self, form_data: dict[str, Any]) -> None:
        self.category_errors, self.message, self.done = {}, "", ""
        parent = str(form_data.get("parent_id") or ANY)
        fields: dict[str, Any] = {
            "name": str(form_data.get("name") or "")[:200],
            "slug": str(form_data.get("slug") or "").strip()[:200] or None,
            "description": str(form_data.get("description") or "").strip()[:4000] or None,
            "parent_id": None if parent == ANY else parent,
        }
        try:
            category_id = _uuid(self.editing_id)
            if category_id is None:
                change = taxonomy.create_category(
                    parse_input(CategoryCreate, fields),
                    actor=self.staff_viewer,
                )
                done = f"Category “{fields['name'].strip()}” created."
            else:
                change = taxonomy.update_category(
                    category_id,
                    parse_input(
                        CategoryUpdate, {k: v for k, v in fields.items() if k != "slug" or v}
                    ),
                    actor=self.staff_viewer,
                )
                done = "Category saved."
        except InvalidInputError as error:
            self.category_errors = error.field_errors
            return
        try:
            await change
        except InvalidInputError as error:
            self.category_errors, self.message = error.field_errors, error.message
            return
        except DomainError as error:
            field = str(error.data.get("field") or "")
            self.category_errors = {field: error.message} if field else {}
            self.message = "" if field else error.message
            return
        self.done = done
        self._reset_category_form()
        await self._reload()

    @rx.event
    async def move_category(self, category_id: str, offset: int) -> None:
        target = _uuid(category_id)
        if target is None or offset not in (-1, 1):
            return
        await self._run(
            taxonomy.move_category(target, offset=offset, actor=self.staff_viewer),
            "Order saved.",
        )

    @rx.event
    async def delete_category(self, category_id: str) -> None:
        target = _uuid(category_id)
        if target is None:
            return
        if self.confirm_delete != str(target):
            self.confirm_delete, self.message, self.done = str(target), "", ""
            return
        self.confirm_delete = ""
        await self._run(
            taxonomy.delete_category(target, actor=self.staff_viewer),
            "Category deleted.",
        )

    # --- brands -------------------------------------------------------------------------------

    def _reset_brand_form(self) -> None:
        self.editing_brand, self.edit_brand_name, self.brand_errors = "", "", {}
        self.brand_version += 1

    @rx.event
    def edit_brand(self, brand_id: str) -> None:
        item = next((b for b in self.brands if b.id == str(brand_id)), None)
        if item is not None:
            self.editing_brand, self.edit_brand_name, self.brand_errors = item.id, item.name, {}
            self.brand_version += 1

    @rx.event
    def cancel_brand_edit(self) -> None:
        self._reset_brand_form()

    @rx.event
    async def save_brand(self, form_data: dict[str, Any]) -> None:
        self.brand_errors, self.message, self.done = {}, "", ""
        try:
            data = parse_input(BrandCreate, {"name": str(form_data.get("brand_name") or "")[:200]})
        except InvalidInputError as error:
            self.brand_errors = {"brand_name": error.field_errors.get("name", error.message)}
            return
        brand_id = _uuid(self.editing_brand)
        change = (
            brand_services.create_brand(data, actor=self.staff_viewer)
            if brand_id is None
            else brand_services.rename_brand(brand_id, data, actor=self.staff_viewer)
        )
        try:
            await change
        except DomainError as error:
            self.brand_errors = {"brand_name": error.message}
            return
        self.done = f"Brand “{data.name}” saved."
        self._reset_brand_form()
        await self._reload()

    @rx.event
    async def delete_brand(self, brand_id: str) -> None:
        target = _uuid(brand_id)
        if target is None:
            return
        if self.confirm_delete != str(target):
            self.confirm_delete, self.message, self.done = str(target), "", ""
            return
        self.confirm_delete = ""
        await self._run(
            brand_services.delete_brand(target, actor=self.staff_viewer),
            "Brand deleted.",
        )
