"""The catalog as CSV: every product, in `CSV_COLUMNS` order, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.models import Category, Product
from backend.catalog.variant_queries import OptionsAndVariants, load_options_and_variants
from backend.core.db import session_scope
from backend.product_import.columns import (
    _EXPORTED,
    _FORMULA_START,
    CSV_COLUMNS,
    EXPORT,
    EXPORT_BATCH_ROWS,
    VARIANT_COLUMNS,
)

# --- export -------------------------------------------------------------------------------


def stream_products_csv(actor: Viewer) -> AsyncIterator[str]:
    """The catalog as CSV text in pieces (header first, then batches of rows by SKU),
    read through a server-side cursor: 100,000 products never sit in memory at once.
    Checks the role now, before the first piece is asked for."""
    require_permission(actor, Permission.CATALOG, EXPORT)
    return _csv_pieces()


async def export_products_csv(actor: Viewer) -> str:
    """Every product, active and hidden, ordered by SKU, as one CSV text."""
    return "".join([piece async for piece in stream_products_csv(actor)])


async def _csv_pieces() -> AsyncIterator[str]:
    yield "\ufeff" + _csv_text([CSV_COLUMNS])
    statement = (
        select(col(Product.id), col(Product.slug), *_EXPORTED)
        .join(Category, col(Category.id) == col(Product.category_id))
        .order_by(col(Product.sku))
        .execution_options(yield_per=EXPORT_BATCH_ROWS)
    )
    async with session_scope() as session:
        result = await session.stream(statement)
        async for batch in result.partitions():
            # A second session: the first one's connection is busy streaming.
            async with session_scope() as reading:
                variants = await load_options_and_variants(
                    reading, [row[0] for row in batch], active_only=False
                )
            yield _csv_text(
                cells for row in batch for cells in _product_rows(row, variants[row[0]])
            )


def _product_rows(row: Any, options_and_variants: OptionsAndVariants) -> list[list[str]]:
    """A product without options: one row. Sold in sizes or colours: one row per variant
    (its SKU, price, stock and option values), grouped by the product's handle."""
    slug, product = row[1], row[2:]
    options, variants = options_and_variants
    if not options:
        return [_export_cells(product) + [""] * len(VARIANT_COLUMNS)]
    rows = []
    for variant in variants:
        cells = _export_cells(
            (
                variant.sku,
                *product[1:3],
                variant.price,
                *product[4:7],
                variant.stock_quantity,
                variant.low_stock_threshold,
                *product[9:],
            )
        )
        named: list[str] = []
        for slot in range(3):
            if slot < len(options):
                named += [options[slot].name, variant.option_values[slot]]
            else:
                named += ["", ""]
        extra = [
            slug,
            *named,
            format(variant.compare_at_price, "f") if variant.compare_at_price else "",
            variant.barcode or "",
            str(variant.weight_grams) if variant.weight_grams is not None else "",
            "true" if variant.is_active else "false",
        ]
        rows.append(cells + [_spreadsheet_safe(cell) for cell in extra])
    return rows


def _export_cells(row: Any) -> list[str]:
    sku, name, description, price, currency, category, brand = row[:7]
    stock, threshold, active, attributes, image_urls = row[7:]
    cells = [
        sku,
        name,
        description or "",
        format(price, "f"),
        currency,
        category,
        brand or "",
        str(stock),
        str(threshold),
        "true" if active else "false",
        json.dumps(attributes, ensure_ascii=False, sort_keys=True) if attributes else "",
        " ".join(image_urls or ()),
    ]
    return [_spreadsheet_safe(cell) for cell in cells]


def _csv_text(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _unguarded(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell
