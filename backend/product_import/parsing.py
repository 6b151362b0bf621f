"""Reading an uploaded file into checked rows: decoding, the header, each cell's
rules, and how a row differs from the product it updates."""

from __future__ import annotations

import codecs
import csv
import io
import json
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from backend.catalog.inputs import ProductCreate
from backend.core.errors import InvalidInputError
from backend.core.validation import field_errors
from backend.product_import.columns import (
    _CLEARED_WHEN_EMPTY,
    _COLUMN_OF_FIELD,
    _KEPT_WHEN_EMPTY,
    _NO_CATEGORY,
    _SHOWN_CHANGES,
    _WRITTEN_FIELDS,
    CSV_COLUMNS,
    MAX_FILE_BYTES,
    MAX_FILE_MB,
    MAX_FILE_ROWS,
    NOT_UTF8,
    REQUIRED_COLUMNS,
    TOO_MANY_CELLS,
)
from backend.product_import.export import _unguarded
from backend.product_import.shapes import RejectedRow, _PendingRow


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
