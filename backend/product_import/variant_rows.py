"""Products sold in sizes or colours in the CSV file: one row per variant, like Shopify's
product CSV. Rows with the same `handle` (the product's address) are one product; each
row gives one variant's `sku`, `price`, `compare_at_price`, `stock_quantity`, `barcode`,
`weight_grams`, `variant_active` and its option values (`option1_name`, `option1_value`
… up to 3). The product's own columns (name, description, category, brand, attributes,
images, is_active) are read from the group's first row. Rows without a handle are
products without options, as before.

The group is checked as a whole (the catalog's variant rules), compared with the product
(its fields, its set of variants, each variant's stock), and applied through the catalog
(`update_product`/`create_product` with the variants, one transaction) and inventory
(`set_stock` for counted stock of existing variants, each change in the ledger).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog.inputs import ProductCreate, ProductUpdate
from backend.catalog.models import Product, ProductVariant
from backend.catalog.queries import ProductRecord
from backend.catalog.schemas import VariantView
from backend.catalog.variant_inputs import VariantInput, VariantsInput
from backend.core.db import session_scope
from backend.core.errors import DomainError, NotFoundError
from backend.core.serialization import json_ready
from backend.core.validation import field_errors
from backend.inventory import services as inventory
from backend.product_import.columns import STOCK_REASON
from backend.product_import.parsing import _checked_row, _rejected
from backend.product_import.shapes import PlannedRow, RejectedRow

OPTION_SLOTS = (1, 2, 3)
# The product's own fields a group writes (its price, SKU and stock are its variants').
_PRODUCT_FIELDS = (
    "name",
    "description",
    "currency",
    "category_id",
    "brand",
    "low_stock_threshold",
    "is_active",
    "attributes",
    "image_urls",
)


@dataclass(frozen=True)
class VariantGroup:
    """A checked product with variants, waiting for the merchant's confirmation."""

    handle: str
    rows: tuple[int, ...]
    product_id: uuid.UUID | None  # None: a new product
    product: dict[str, Any]  # its own fields (all of them for a new product)
    variants: dict[str, Any]  # a `VariantsInput` as data
    stock: dict[str, int]  # existing variants' counted stock, by SKU (changed ones only)

    def to_json(self) -> dict[str, Any]:
        return {
            "handle": self.handle,
            "rows": list(self.rows),
            "product_id": str(self.product_id) if self.product_id else None,
            "product": json_ready(self.product),
            "variants": json_ready(self.variants),
            "stock": self.stock,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VariantGroup:
        product = dict(data["product"])
        if "category_id" in product:
            product["category_id"] = uuid.UUID(product["category_id"])
        return cls(
            handle=data["handle"],
            rows=tuple(data["rows"]),
            product_id=uuid.UUID(data["product_id"]) if data["product_id"] else None,
            product=product,
            variants=data["variants"],
            stock=data["stock"],
        )


@dataclass(frozen=True)
class CheckedGroups:
    planned: list[tuple[VariantGroup, PlannedRow]]  # to create or update
    unchanged_rows: int


def variant_records(
    columns: list[str], records: list[tuple[int, list[str]]]
) -> tuple[list[tuple[int, list[str]]], dict[str, list[tuple[int, dict[str, str]]]]]:
    """The file's rows without a handle (products without options), and the others
    grouped by handle in file order."""
    if "handle" not in columns:
        return records, {}
    plain: list[tuple[int, list[str]]] = []
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, cells in records:
        padded = cells + [""] * (len(columns) - len(cells))
        row = {name: cell.strip() for name, cell in zip(columns, padded, strict=False)}
        if row["handle"]:
            groups.setdefault(row["handle"].lower(), []).append((number, row))
        else:
            plain.append((number, cells))
    return plain, groups


async def check_groups(
    groups: dict[str, list[tuple[int, dict[str, str]]]],
    categories: dict[str, uuid.UUID],
    rejected: list[RejectedRow],
) -> CheckedGroups:
    planned: list[tuple[VariantGroup, PlannedRow]] = []
    unchanged_rows = 0
    for handle, rows in groups.items():
        checked = await _check_group(handle, rows, categories)
        if isinstance(checked, RejectedRow):
            rejected += [
                RejectedRow(number, row.get("sku", ""), checked.reason) for number, row in rows
            ]
        elif checked is None:
            unchanged_rows += len(rows)
        else:
            planned.append(checked)
    return CheckedGroups(planned, unchanged_rows)


async def _check_group(
    handle: str, rows: list[tuple[int, dict[str, str]]], categories: dict[str, uuid.UUID]
) -> tuple[VariantGroup, PlannedRow] | RejectedRow | None:
    first_number, first = rows[0]
    problems: dict[str, str] = {}
    product_row = _checked_row(first_number, first, categories, problems)
    if isinstance(product_row, RejectedRow):
        return product_row
    names = [first.get(f"option{slot}_name", "") for slot in OPTION_SLOTS]
    names = [name for name in names if name]
    values: list[list[str]] = [[] for _ in names]
    variants = []
    for number, row in rows:
        given = [row.get(f"option{slot}_value", "") for slot in OPTION_SLOTS][: len(names)]
        for index, value in enumerate(given):
            if value and value.lower() not in {known.lower() for known in values[index]}:
                values[index].append(value)
        variants.append(
            {
                "sku": row["sku"],
                "price": row["price"],
                "compare_at_price": row.get("compare_at_price") or None,
                "option_values": given,
                "stock_quantity": row.get("stock_quantity") or 0,
                "low_stock_threshold": row.get("low_stock_threshold") or 5,
                "barcode": row.get("barcode") or None,
                "weight_grams": row.get("weight_grams") or None,
                "is_active": (row.get("variant_active") or "true").lower()
                not in ("false", "no", "0"),
                "row": number,
            }
        )
    data = {
        "options": [{"name": name, "values": values[i]} for i, name in enumerate(names)],
        "variants": [{k: v for k, v in variant.items() if k != "row"} for variant in variants],
    }
    try:
        wanted = VariantsInput.model_validate(data)
    except ValidationError as error:
        messages = field_errors(error)
        where = next(iter(messages), "")
        parts = where.split(".")
        if len(parts) >= 2 and parts[0] == "variants" and parts[1].isdigit():
            row_number = int(str(variants[int(parts[1])]["row"]))
            return _rejected(row_number, handle, {".".join(parts[2:]): messages[where]})
        return _rejected(first_number, handle, {"": messages[where]})
    product_values = {
        name: value for name, value in product_row.values.items() if name in _PRODUCT_FIELDS
    }
    return await _compare(handle, rows, product_values, wanted)


async def _compare(
    handle: str,
    rows: list[tuple[int, dict[str, str]]],
    product_values: dict[str, Any],
    wanted: VariantsInput,
) -> tuple[VariantGroup, PlannedRow] | None:
    numbers = tuple(number for number, _ in rows)
    variants_data = wanted.model_dump(mode="json")
    async with session_scope() as session:
        product_id = (await session.exec(select(Product.id).where(Product.slug == handle))).first()
    name = str(product_values.get("name", ""))
    if product_id is None:
        new = product_values | {"price": wanted.variants[0].price, "sku": wanted.variants[0].sku}
        group = VariantGroup(handle, numbers, None, new, variants_data, {})
        changes = (f"{len(wanted.variants)} variants",)
        return group, PlannedRow(numbers[0], handle, name, "create", changes)
    record = await catalog_queries.get_product(product_id)
    changed_fields = _changed_product_fields(record, product_values)
    variants_changed = _current_set(record) != _wanted_set(wanted)
    stock = {
        variant.sku: variant.stock_quantity
        for variant in wanted.variants
        if (current := _by_sku(record, variant.sku)) is not None
        and current.stock_quantity != variant.stock_quantity
    }
    if not changed_fields and not variants_changed and not stock:
        return None
    changes = (
        *changed_fields,
        *(("variants",) if variants_changed else ()),
        *(f"stock of {sku}: → {count}" for sku, count in stock.items()),
    )
    group = VariantGroup(
        handle,
        numbers,
        product_id,
        {field: product_values[field] for field in changed_fields},
        variants_data,
        stock,
    )
    return group, PlannedRow(numbers[0], handle, name or record.summary.name, "update", changes)


def _by_sku(record: ProductRecord, sku: str) -> Any:
    return next((v for v in record.variants if v.sku.lower() == sku.lower()), None)


def _changed_product_fields(record: ProductRecord, values: dict[str, Any]) -> list[str]:
    summary = record.summary
    current = {
        "name": summary.name,
        "description": record.description or None,
        "currency": summary.currency,
        "category_id": record.category_id,
        "brand": summary.brand,
        "low_stock_threshold": summary.low_stock_threshold,
        "is_active": summary.is_active,
        "attributes": record.attributes or {},
        "image_urls": list(record.image_urls),
    }
    empty: tuple[Any, ...] = (None, "", [], {})
    return [
        field
        for field, value in values.items()
        if (None if current[field] in empty else current[field])
        != (None if value in empty else value)
    ]


# A product's variants as the file and the catalog can both say them: (SKU, price,
# compare-at price, option values, barcode, grams, active) in order, and the option names.
_VariantSet = tuple[tuple[tuple[Any, ...], ...], tuple[str, ...]]


def _variant_key(variant: VariantView | VariantInput) -> tuple[Any, ...]:
    return (
        variant.sku.lower(),
        variant.price,
        variant.compare_at_price,
        tuple(value.lower() for value in variant.option_values),
        variant.barcode or None,
        variant.weight_grams,
        variant.is_active,
    )


def _current_set(record: ProductRecord) -> _VariantSet:
    return (
        tuple(_variant_key(v) for v in record.variants),
        tuple(option.name.lower() for option in record.options),
    )


def _wanted_set(wanted: VariantsInput) -> _VariantSet:
    return (
        tuple(_variant_key(v) for v in wanted.variants),
        tuple(option.name.lower() for option in wanted.options),
    )


async def apply_group(actor: Viewer, group: VariantGroup) -> bool:
    """Write one product with its variants; False when the catalog refuses it now."""
    try:
        if group.product_id is None:
            values = dict(group.product)
            await catalog.create_product(
                ProductCreate.model_validate(values | {"price": Decimal(str(values["price"]))}),
                actor=actor,
                variants=group.variants,
            )
            return True
        await catalog.update_product(
            group.product_id,
            ProductUpdate.model_validate(group.product),
            actor=actor,
            variants=group.variants,
        )
        if group.stock:
            async with session_scope() as session:
                ids = dict(
                    (
                        await session.exec(
                            select(ProductVariant.sku, ProductVariant.id).where(
                                col(ProductVariant.product_id) == group.product_id,
                                col(ProductVariant.sku).in_(list(group.stock)),
                            )
                        )
                    ).all()
                )
                for sku, count in group.stock.items():
                    if sku in ids:
                        await inventory.set_stock(
                            session,
                            ids[sku],
                            quantity=count,
                            reason=STOCK_REASON,
                            actor_id=actor.user_id,
                            note=f"CSV import, {group.handle}",
                        )
    except (DomainError, NotFoundError):
        return False
    return True
