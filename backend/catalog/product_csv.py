"""CSV export and two-step CSV import of products, for the admin dashboard. Admins only.

The file: UTF-8, commas between cells, one header row naming the columns. The export
writes every column of `CSV_COLUMNS` in this order; an import needs at least sku, name,
price and category, in any order.

    sku                  an existing SKU updates that product, a new one creates a product
    name
    description          an empty cell clears it
    price                a plain number with at most two decimals: 19.99
    currency             three letters: USD
    category             the category's address (slug): kitchen-mugs
    brand                an empty cell clears it; a new brand name is added to the brands
    stock_quantity       units on hand; a change goes through inventory (stock ledger)
    low_stock_threshold  staff are alerted at or below this
    is_active            true or false (yes/no and 1/0 are read too)
    attributes           a JSON object of text values: {"color": "blue", "size": "M"}; an
                         empty cell clears them. JSON because commas, semicolons, quotes and
                         "=" in values then need no escaping rules of our own.
    image_urls           addresses separated by spaces (an address never holds a raw space)

A column left out of the file keeps the current value of existing products (new products
get the usual default); so does an empty currency, stock_quantity, low_stock_threshold or
is_active cell.

The export starts with a UTF-8 byte order mark (so Excel reads accents right) and puts an
apostrophe before any cell a spreadsheet would run as a formula (= + - @, tab, CR: CSV
injection). The import removes both again, so an exported file imports unchanged.

Importing is two steps. `preview_import` checks every row, compares it with the catalog,
and keeps what would change in Redis for 30 minutes under a random token (UI state then
holds only the small preview). `apply_import` takes that token exactly once (GETDEL) and
writes the rows in chunks, one transaction each; a row the database still refuses is
reported and the others land.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import ValidationError
from sqlalchemy import func, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.accounts.staff import require_admin
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.errors import ImportExpiredError
from backend.catalog.inputs import ProductCreate
from backend.catalog.models import Brand, Category, Product
from backend.catalog.services import brand_slug, product_slug, record_products_changed
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.redis import get_redis
from backend.core.serialization import json_ready
from backend.core.validation import field_errors
from backend.inventory import services as inventory

logger = logging.getLogger(__name__)

T = TypeVar("T")

CSV_COLUMNS = (
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "category",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
    "attributes",
    "image_urls",
)
REQUIRED_COLUMNS = ("sku", "name", "price", "category")
MAX_FILE_MB = 5
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_FILE_ROWS = 20_000
PREVIEW_TTL_SECONDS = 30 * 60
SAMPLE_ROWS = 20
MAX_REJECTED_LISTED = 1_000  # the counts stay exact; the UI lists this many
EXPORT_BATCH_ROWS = 1_000
APPLY_CHUNK_ROWS = 200
STOCK_REASON = "csv_import"  # stock ledger reason, lower_snake like "order_placed"

EXPORT = "export the catalog"
IMPORT = "import products"
TOO_MANY_CELLS = (
    "This row has more cells than the header has columns (a value holding a comma must be "
    "in quotes)."
)
ALREADY_APPLIED = "This import was already applied or has expired: upload the file again."
NOT_UTF8 = (
    "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8 (comma "
    "delimited)” and upload it again."
)

# What an import writes besides the SKU (the key) and the slug (a product keeps its address).
_WRITTEN_FIELDS = (
    "name",
    "description",
    "price",
    "currency",
    "category_id",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
    "attributes",
    "image_urls",
)
_KEPT_WHEN_EMPTY = ("currency", "stock_quantity", "low_stock_threshold", "is_active")
_CLEARED_WHEN_EMPTY = ("description", "brand")
_COLUMN_OF_FIELD = {"category_id": "category"}
# Short values a merchant wants to see before and after in the preview's sample.
_SHOWN_CHANGES = (
    "price",
    "currency",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# The export's columns, in CSV_COLUMNS order (the category by its slug).
_EXPORTED: tuple[Any, ...] = (
    Product.sku,
    Product.name,
    Product.description,
    Product.price,
    Product.currency,
    Category.slug,
    Product.brand,
    Product.stock_quantity,
    Product.low_stock_threshold,
    Product.is_active,
    Product.attributes,
    Product.image_urls,
)
# What the import compares and locks of an existing product.
_CURRENT_FIELDS = ("id", "sku", "slug", *_WRITTEN_FIELDS)
# Stands in for an unknown category while the rest of the row is checked.
_NO_CATEGORY = uuid.UUID(int=0)


# --- shapes handed to the UI --------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    sku: str
    reason: str  # "Row 17: price — The price cannot be negative."


@dataclass(frozen=True)
class PlannedRow:
    row: int
    sku: str
    name: str
    action: Literal["create", "update"]
    changes: tuple[str, ...]  # updates: "price: 19.99 → 17.99", "description"


@dataclass(frozen=True)
class ImportPreview:
    """What confirming would do. Every data row counts once in exactly one of create,
    update, unchanged (the row matches its product) and rejected."""

    token: str | None  # for `apply_import`; None when there is nothing to apply
    file_rows: int
    create_count: int
    update_count: int
    unchanged_count: int
    rejected_count: int
    rejected: tuple[RejectedRow, ...]  # the first MAX_REJECTED_LISTED
    sample: tuple[PlannedRow, ...]  # the first SAMPLE_ROWS rows to create or update
    expires_in_seconds: int


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int  # matched the catalog in the preview or when applied: nothing written
    failed: tuple[RejectedRow, ...]  # checked in the preview, refused when applied
    rejected: int  # refused in the preview
    file_rows: int  # = created + updated + unchanged + len(failed) + rejected


ProgressCallback = Callable[[int, int], Awaitable[None]]


# --- export -------------------------------------------------------------------------------


def stream_products_csv(actor: Viewer) -> AsyncIterator[str]:
    """The catalog as CSV text in pieces (header first, then batches of rows by SKU),
    read through a server-side cursor: 100,000 products never sit in memory at once.
    Checks the role now, before the first piece is asked for."""
    require_admin(actor, EXPORT)
    return _csv_pieces()


async def export_products_csv(actor: Viewer) -> str:
    """Every product, active and hidden, ordered by SKU, as one CSV text."""
    return "".join([piece async for piece in stream_products_csv(actor)])


async def _csv_pieces() -> AsyncIterator[str]:
    yield "\ufeff" + _csv_text([CSV_COLUMNS])
    statement = (
        select(*_EXPORTED)
        .join(Category, col(Category.id) == col(Product.category_id))
        .order_by(col(Product.sku))
        .execution_options(yield_per=EXPORT_BATCH_ROWS)
    )
    async with session_scope() as session:
        result = await session.stream(statement)
        async for batch in result.partitions():
            yield _csv_text(_export_cells(row) for row in batch)


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


# --- import, step 1: preview --------------------------------------------------------------


@dataclass(frozen=True)
class _PendingRow:
    """A checked row waiting in Redis for the merchant's confirmation."""

    row: int
    sku: str
    category: str  # the slug, to explain a failure
    # A new product: the fields the file gives. An existing one: only the changed fields.
    values: dict[str, Any]
    seen_stock: int | None  # an existing product's stock when previewed

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "sku": self.sku,
            "category": self.category,
            "values": json_ready(self.values),
            "seen_stock": self.seen_stock,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _PendingRow:
        values = dict(data["values"])
        if "price" in values:
            values["price"] = Decimal(values["price"])
        if "category_id" in values:
            values["category_id"] = uuid.UUID(values["category_id"])
        return cls(data["row"], data["sku"], data["category"], values, data["seen_stock"])


async def preview_import(actor: Viewer, data: bytes) -> ImportPreview:
    """Check an uploaded file row by row (nothing is written to the catalog). Raises
    InvalidInputError when the file as a whole is unusable."""
    require_admin(actor, IMPORT)
    columns, records, rejected = _read_records(data)
    async with session_scope() as session:
        categories = dict((await session.exec(select(Category.slug, Category.id))).all())
    checked = _check_records(columns, records, categories, rejected)
    async with session_scope() as session:
        current = await _products_by_sku(session, [row.sku for row in checked], lock=False)

    pending: list[_PendingRow] = []
    sample: list[PlannedRow] = []
    create_count = update_count = unchanged_count = 0
    for row in checked:
        before = current.get(row.sku)
        if before is None:
            create_count += 1
            pending.append(row)
            changes: tuple[str, ...] = ()
        else:
            changed = _changed_values(before, row.values)
            if not changed:
                unchanged_count += 1
                continue
            update_count += 1
            pending.append(
                _PendingRow(row.row, row.sku, row.category, changed, before["stock_quantity"])
            )
            changes = tuple(_described_change(name, before, changed) for name in changed)
        if len(sample) < SAMPLE_ROWS:
            name = row.values.get("name") or (before or {}).get("name", "")
            action: Literal["create", "update"] = "create" if before is None else "update"
            sample.append(PlannedRow(row.row, row.sku, name, action, changes))

    token = secrets.token_urlsafe(24) if pending else None
    if token is not None:
        payload = {
            "import_id": str(uuid.uuid4()),
            "file_rows": len(records),
            "rejected": len(rejected),
            "unchanged": unchanged_count,
            "rows": [row.to_json() for row in pending],
        }
        await get_redis().set(
            _import_key(actor, token), json.dumps(payload), ex=PREVIEW_TTL_SECONDS
        )
    rejected.sort(key=lambda item: item.row)
    return ImportPreview(
        token=token,
        file_rows=len(records),
        create_count=create_count,
        update_count=update_count,
        unchanged_count=unchanged_count,
        rejected_count=len(rejected),
        rejected=tuple(rejected[:MAX_REJECTED_LISTED]),
        sample=tuple(sample),
        expires_in_seconds=PREVIEW_TTL_SECONDS,
    )


def _file_error(message: str) -> InvalidInputError:
    return InvalidInputError(message, {"file": message})


def _read_records(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], list[RejectedRow]]:
    """The header's column names and the non-blank data rows with their row numbers.

    csv.reader rather than DictReader: DictReader skips blank lines without a trace, and
    the row numbers must stay those the merchant sees in the spreadsheet.
    """
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(f"The file is larger than {MAX_FILE_MB} MB: split it into smaller files.")
    if not data.strip():
        raise _file_error("The file is empty.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _file_error(NOT_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_error(NOT_UTF8) from error
    if "\x00" in text:
        raise _file_error(NOT_UTF8)

    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        columns = _header_columns(next(reader, []))
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(records) == MAX_FILE_ROWS:
                raise _file_error(
                    f"The file has more than {MAX_FILE_ROWS:,} product rows: split it into "
                    "smaller files."
                )
            records.append((number, cells))
    except csv.Error as error:
        raise _file_error(
            f"The file is not valid CSV (line {reader.line_num}: {error})."
        ) from error
    if not records:
        raise _file_error("The file has a header but no product rows.")

    sku_at = columns.index("sku")
    rejected = [
        _rejected(number, cells[sku_at].strip(), {"": TOO_MANY_CELLS})
        for number, cells in records
        if any(cell.strip() for cell in cells[len(columns) :])
    ]
    return columns, records, rejected


def _header_columns(header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    while columns and not columns[-1]:  # spreadsheets add empty trailing columns
        columns.pop()
    if not columns:
        raise _file_error("The file is empty.")
    if len(columns) == 1 and (";" in columns[0] or "\t" in columns[0]):
        raise _file_error("Separate the columns with commas (this file uses semicolons or tabs).")
    if "" in columns:
        raise _file_error(f"Column {columns.index('') + 1} has no name in the header row.")
    repeated = sorted(name for name, count in Counter(columns).items() if count > 1)
    if repeated:
        raise _file_error(f"These columns appear more than once: {', '.join(repeated)}.")
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown:
        raise _file_error(
            f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join(CSV_COLUMNS)}."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise _file_error(
            f"Missing columns: {', '.join(missing)}. A product file needs at least "
            f"{', '.join(REQUIRED_COLUMNS[:-1])} and {REQUIRED_COLUMNS[-1]}."
        )
    return columns


def _check_records(
    columns: list[str],
    records: list[tuple[int, list[str]]],
    categories: dict[str, uuid.UUID],
    rejected: list[RejectedRow],
) -> list[_PendingRow]:
    """The valid rows; the others are added to `rejected`.

    Every row of a SKU that appears more than once is rejected: the file does not say
    which of them is right, and importing one of them silently could be the wrong one.
    """
    already_rejected = {item.row for item in rejected}
    sku_at = columns.index("sku")
    rows_of_sku: dict[str, list[int]] = {}
    for number, cells in records:
        if sku := _unguarded(cells[sku_at].strip()):
            rows_of_sku.setdefault(sku, []).append(number)

    valid = []
    for number, cells in records:
        if number in already_rejected:
            continue
        padded = cells + [""] * (len(columns) - len(cells))
        row = {name: _unguarded(cell.strip()) for name, cell in zip(columns, padded, strict=False)}
        problems: dict[str, str] = {}
        repeated_on = rows_of_sku.get(row["sku"], [])
        if len(repeated_on) > 1:
            problems["sku"] = (
                f"SKU {row['sku']} is on rows {', '.join(map(str, repeated_on))}: keep one row "
                "per product."
            )
        checked = _checked_row(number, row, categories, problems)
        if isinstance(checked, RejectedRow):
            rejected.append(checked)
        else:
            valid.append(checked)
    return valid


def _checked_row(
    number: int, row: dict[str, str], categories: dict[str, uuid.UUID], problems: dict[str, str]
) -> _PendingRow | RejectedRow:
    """One row through `ProductCreate` (the same rules as the product form)."""
    for column in REQUIRED_COLUMNS:
        if not row[column]:
            problems.setdefault(column, "This cell is empty.")
    category = row["category"].lower()
    category_id = categories.get(category)
    if category and category_id is None:
        problems.setdefault("category", f"There is no category with the address “{category}”.")

    data: dict[str, Any] = {
        "sku": row["sku"],
        "name": row["name"],
        "price": row["price"],
        "category_id": category_id or _NO_CATEGORY,
    }
    for name in _KEPT_WHEN_EMPTY:
        if row.get(name):
            data[name] = row[name]
    for name in _CLEARED_WHEN_EMPTY:
        if name in row:
            data[name] = row[name] or None
    if "attributes" in row:
        data["attributes"] = _attributes_from_cell(row["attributes"], problems)
    if "image_urls" in row:
        data["image_urls"] = row["image_urls"].split()

    try:
        product = ProductCreate.model_validate(data)
    except ValidationError as error:
        for location, message in field_errors(error).items():
            name = location.split(".")[0]
            problems.setdefault(_COLUMN_OF_FIELD.get(name, name), message)
    if problems:
        return _rejected(number, row["sku"], problems)
    given = {name for name in _WRITTEN_FIELDS if name in data}
    return _PendingRow(number, product.sku, category, product.model_dump(include=given), None)


def _attributes_from_cell(cell: str, problems: dict[str, str]) -> object:
    if not cell:
        return {}
    try:
        # Numbers stay the text written (no floats); NaN and Infinity are not JSON.
        value = json.loads(cell, parse_int=str, parse_float=str, parse_constant=_not_json)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        problems.setdefault(
            "attributes", 'Write the attributes as a JSON object, e.g. {"color": "blue"}.'
        )
        return {}
    return value


def _not_json(constant: str) -> object:
    msg = f"{constant} is not JSON"
    raise ValueError(msg)


def _rejected(number: int, sku: str, problems: dict[str, str]) -> RejectedRow:
    parts = [f"{column} — {message}" if column else message for column, message in problems.items()]
    sentences = " ".join(part if part.endswith(".") else part + "." for part in parts)
    return RejectedRow(row=number, sku=sku, reason=f"Row {number}: {sentences}")


def _same(before: Any, after: Any) -> bool:
    """Equal for the merchant: no description and an empty one are the same."""
    empty: tuple[Any, ...] = (None, "", [], {})
    return (None if before in empty else before) == (None if after in empty else after)


def _changed_values(before: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if not _same(before[name], value)}


def _described_change(name: str, before: dict[str, Any], changed: dict[str, Any]) -> str:
    column = _COLUMN_OF_FIELD.get(name, name)
    if name not in _SHOWN_CHANGES:
        return column
    return f"{column}: {_shown(before[name])} → {_shown(changed[name])}"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _import_key(actor: Viewer, token: str) -> str:
    # The admin's id is part of the key: another account cannot apply (or spend) it.
    return f"catalog:import:{actor.user_id}:{token}"


async def _products_by_sku(
    session: AsyncSession, skus: list[str], *, lock: bool
) -> dict[str, dict[str, Any]]:
    """The current values of the products with these SKUs (locked in id order: the same
    order as orders lock products, so the two never deadlock)."""
    found: dict[str, dict[str, Any]] = {}
    for batch in _chunked(skus, 1_000):
        statement = (
            select(*(getattr(Product, name) for name in _CURRENT_FIELDS))
            .where(col(Product.sku).in_(batch))
            .order_by(col(Product.id))
        )
        if lock:
            statement = statement.with_for_update()
        for row in (await session.exec(statement)).all():
            product = dict(zip(_CURRENT_FIELDS, row, strict=True))
            found[product["sku"]] = product
    return found


# --- import, step 2: apply ----------------------------------------------------------------


@dataclass(frozen=True)
class _Write:
    pending: _PendingRow
    values: dict[str, Any]  # every column of the product's row
    before: dict[str, Any] | None  # None: a new product


@dataclass(frozen=True)
class _ChunkOutcome:
    created: int
    updated: int
    unchanged: int
    failed: list[RejectedRow]


async def apply_import(
    actor: Viewer, token: str, *, on_progress: ProgressCallback | None = None
) -> ImportResult:
    """Write the rows a preview found valid, in chunks of APPLY_CHUNK_ROWS rows (one
    transaction each, its own audit entry); `on_progress(done, total)` after each.

    The token is spent first, atomically: a second call (a double click, two tabs) finds
    nothing. Were the import to stop halfway (the database gone), the committed chunks
    stay; uploading the same file again then finds them unchanged.
    """
    require_admin(actor, IMPORT)
    payload = await _take_payload(actor, token)
    rows = [_PendingRow.from_json(item) for item in payload["rows"]]
    summary = {"file_rows": payload["file_rows"], "rejected": payload["rejected"]}
    created = updated = done = 0
    unchanged: int = payload["unchanged"]
    failed: list[RejectedRow] = []
    chunks = list(_chunked(rows, APPLY_CHUNK_ROWS))
    for number, chunk in enumerate(chunks, start=1):
        outcome = await _apply_chunk(
            actor,
            chunk,
            import_id=payload["import_id"],
            summary={**summary, "chunk": number, "chunks": len(chunks)},
        )
        if outcome.created or outcome.updated:
            await cache.invalidate_after_commit()
        created += outcome.created
        updated += outcome.updated
        unchanged += outcome.unchanged
        failed += outcome.failed
        done += len(chunk)
        if on_progress is not None:
            await on_progress(done, len(rows))
    return ImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        failed=tuple(sorted(failed, key=lambda item: item.row)),
        rejected=payload["rejected"],
        file_rows=payload["file_rows"],
    )


async def _take_payload(actor: Viewer, token: str) -> dict[str, Any]:
    if not _TOKEN.fullmatch(token or ""):
        raise ImportExpiredError(ALREADY_APPLIED)
    stored = await get_redis().getdel(_import_key(actor, token))
    if stored is None:
        raise ImportExpiredError(ALREADY_APPLIED)
    payload: dict[str, Any] = json.loads(stored)
    return payload


async def _apply_chunk(
    actor: Viewer, chunk: list[_PendingRow], *, import_id: str, summary: dict[str, Any]
) -> _ChunkOutcome:
    async with session_scope() as session:
        current = await _products_by_sku(session, [row.sku for row in chunk], lock=True)
        writes: list[_Write] = []
        failed: list[RejectedRow] = []
        unchanged = 0
        for row in chunk:
            planned = _planned_write(row, current.get(row.sku))
            if isinstance(planned, RejectedRow):
                failed.append(planned)
            elif planned is None:
                unchanged += 1
            else:
                writes.append(planned)
        await _add_missing_brands(session, {w.values["brand"] for w in writes if w.values["brand"]})
        written, refused = await _upsert_with_fallback(session, writes)
        failed += refused
        # Stock is inventory's: a changed count goes through it (ledger, InventoryUpdated,
        # low-stock rule), never into the product row with the other fields.
        for write, product_id, inserted in written:
            await _set_counted_stock(session, actor, write, product_id, inserted)
        await record_products_changed(
            session, [product_id for _, product_id, _ in written], reason="import"
        )
        created = sum(1 for _, _, inserted in written if inserted)
        audit.record(
            session,
            actor=actor,
            action="product.imported",
            entity_type="product_import",
            entity_id=import_id,
            after={
                **summary,
                "created": created,
                "updated": len(written) - created,
                "unchanged": unchanged,
                "failed": len(failed),
                "skus": sorted(write.values["sku"] for write, _, _ in written),
            },
        )
    return _ChunkOutcome(created, len(written) - created, unchanged, failed)


def _planned_write(row: _PendingRow, before: dict[str, Any] | None) -> _Write | RejectedRow | None:
    """The full row to write, a refusal, or None when the product already matches."""
    if before is None:
        values = {**_create_defaults(), **row.values}
        values |= {"sku": row.sku, "slug": product_slug(values["name"], row.sku)}
        return _Write(row, values, None)
    # Orders change stock between the preview and now: an absolute number from the file
    # would silently undo them, so the merchant looks again instead.
    stock_moved = row.seen_stock is not None and before["stock_quantity"] != row.seen_stock
    if "stock_quantity" in row.values and stock_moved:
        return _rejected(
            row.row,
            row.sku,
            {
                "stock_quantity": "The stock changed since the preview (an order or an "
                "adjustment), so this product was left as it was. Export again to see the "
                "current stock."
            },
        )
    changed = _changed_values(before, row.values)
    if not changed:
        return None
    values = {name: before[name] for name in _WRITTEN_FIELDS} | changed
    values |= {"sku": row.sku, "slug": before["slug"]}
    return _Write(row, values, before)


def _create_defaults() -> dict[str, Any]:
    """The form's defaults for the fields a file may leave out."""
    return {
        name: ProductCreate.model_fields[name].get_default(call_default_factory=True)
        for name in _WRITTEN_FIELDS
        if not ProductCreate.model_fields[name].is_required()
    }


async def _add_missing_brands(session: AsyncSession, names: set[str]) -> None:
    if names:
        # No conflict target: a name whose slug another brand has is skipped too, and its
        # rows are then refused one by one (foreign key) instead of failing the chunk.
        await session.exec(
            insert(Brand)
            .values([{"name": name, "slug": brand_slug(name)} for name in sorted(names)])
            .on_conflict_do_nothing()
        )


async def _upsert_with_fallback(
    session: AsyncSession, writes: list[_Write]
) -> tuple[list[tuple[_Write, uuid.UUID, bool]], list[RejectedRow]]:
    """Written rows (write, product id, inserted) and refused ones. The chunk goes in one
    statement; if the database refuses it, each row gets its own savepoint to find the
    culprits while the others still land."""
    if not writes:
        return [], []
    try:
        async with session.begin_nested():
            return await _upsert(session, writes), []
    except IntegrityError:
        pass
    written: list[tuple[_Write, uuid.UUID, bool]] = []
    refused: list[RejectedRow] = []
    for write in writes:
        try:
            async with session.begin_nested():
                written += await _upsert(session, [write])
        except IntegrityError as error:
            refused.append(_refusal(write, error))
    return written, refused


async def _upsert(
    session: AsyncSession, writes: list[_Write]
) -> list[tuple[_Write, uuid.UUID, bool]]:
    # One statement compiled once (cached), its rows sent as multi-row VALUES batches by
    # SQLAlchemy's "insertmanyvalues"; the product table, not the ORM class: plain rows.
    table = Product.__table__  # type: ignore[attr-defined]
    rows_in = insert(table)
    upsert: Any = rows_in.on_conflict_do_update(
        index_elements=[table.c.sku],
        # A new product's first count goes in with it; an existing one's stock is left
        # to `inventory.set_stock` (stock is inventory's to change).
        set_={name: rows_in.excluded[name] for name in _WRITTEN_FIELDS if name != "stock_quantity"}
        | {"updated_at": func.now()},
    ).returning(table.c.id, table.c.sku, literal_column("xmax = 0"))
    by_sku = {write.values["sku"]: write for write in writes}
    rows = (await session.exec(upsert, params=[write.values for write in writes])).all()
    return [(by_sku[sku], product_id, bool(inserted)) for product_id, sku, inserted in rows]


def _refusal(write: _Write, error: IntegrityError) -> RejectedRow:
    constraint = str(error.orig)
    if "products_category_id_fkey" in constraint:
        problem = {"category": f"The category “{write.pending.category}” no longer exists."}
    elif "products_brand_fkey" in constraint:
        problem = {
            "brand": f"The brand “{write.values['brand']}” could not be added: another brand "
            "has the same address."
        }
    elif "products_slug_key" in constraint:
        problem = {
            "name": f"Another product already uses the address “{write.values['slug']}”: "
            "change the name or the SKU."
        }
    else:
        logger.warning("import row %s refused: %s", write.pending.row, constraint)
        problem = {"": "The database refused this row."}
    return _rejected(write.pending.row, write.pending.sku, problem)


async def _set_counted_stock(
    session: AsyncSession, actor: Viewer, write: _Write, product_id: uuid.UUID, inserted: bool
) -> None:
    """An existing product's stock set to the file's count through inventory. New
    products get no ledger row: creating one never does. (The chunk's products are
    announced together by one ProductsChanged.)"""
    # `before` is None for a SKU another admin created after our lock: its stock is left
    # as that admin set it, and no ledger row is invented for it.
    if inserted or write.before is None:
        return
    if write.values["stock_quantity"] == write.before["stock_quantity"]:
        return
    await inventory.set_stock(
        session,
        product_id,
        quantity=write.values["stock_quantity"],
        reason=STOCK_REASON,
        actor_id=actor.user_id,
        note=f"CSV import, row {write.pending.row}",
    )


def _chunked(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
