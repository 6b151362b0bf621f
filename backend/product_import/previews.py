"""Import step 1, the preview store: check the file, compare it with the catalog, and
keep what would change in Redis for 30 minutes under a random token, taken once."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from typing import Any, Literal, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.catalog.errors import ImportExpiredError
from backend.catalog.models import Category, Product
from backend.core.db import session_scope
from backend.core.redis import get_redis
from backend.product_import.columns import (
    _CURRENT_FIELDS,
    _TOKEN,
    ALREADY_APPLIED,
    IMPORT,
    MAX_REJECTED_LISTED,
    PREVIEW_TTL_SECONDS,
    SAMPLE_ROWS,
)
from backend.product_import.parsing import (
    _changed_values,
    _check_records,
    _described_change,
    _read_records,
)
from backend.product_import.shapes import ImportPreview, PlannedRow, _PendingRow
from backend.product_import.variant_rows import check_groups, variant_records

# --- import, step 1: preview --------------------------------------------------------------


async def preview_import(actor: Viewer, data: bytes) -> ImportPreview:
    """Check an uploaded file row by row (nothing is written to the catalog). Raises
    InvalidInputError when the file as a whole is unusable."""
    require_permission(actor, Permission.CATALOG, IMPORT)
    columns, all_records, rejected = _read_records(data)
    records, groups = variant_records(columns, all_records)
    async with session_scope() as session:
        categories = dict((await session.exec(select(Category.slug, Category.id))).all())
    checked = _check_records(columns, records, categories, rejected)
    grouped = await check_groups(groups, categories, rejected)
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

    unchanged_count += grouped.unchanged_rows
    for group, planned in grouped.planned:
        if group.product_id is None:
            create_count += len(group.rows)
        else:
            update_count += len(group.rows)
        if len(sample) < SAMPLE_ROWS:
            sample.append(planned)
    token = secrets.token_urlsafe(24) if pending or grouped.planned else None
    if token is not None:
        payload = {
            "import_id": str(uuid.uuid4()),
            "file_rows": len(all_records),
            "rejected": len(rejected),
            "unchanged": unchanged_count,
            "rows": [row.to_json() for row in pending],
            "groups": [group.to_json() for group, _ in grouped.planned],
        }
        await get_redis().set(
            _import_key(actor, token), json.dumps(payload), ex=PREVIEW_TTL_SECONDS
        )
    rejected.sort(key=lambda item: item.row)
    return ImportPreview(
        token=token,
        file_rows=len(all_records),
        create_count=create_count,
        update_count=update_count,
        unchanged_count=unchanged_count,
        rejected_count=len(rejected),
        rejected=tuple(rejected[:MAX_REJECTED_LISTED]),
        sample=tuple(sample),
        expires_in_seconds=PREVIEW_TTL_SECONDS,
    )


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


async def _take_payload(actor: Viewer, token: str) -> dict[str, Any]:
    if not _TOKEN.fullmatch(token or ""):
        raise ImportExpiredError(ALREADY_APPLIED)
    stored = await get_redis().getdel(_import_key(actor, token))
    if stored is None:
        raise ImportExpiredError(ALREADY_APPLIED)
    payload: dict[str, Any] = json.loads(stored)
    return payload


T = TypeVar("T")


def _chunked(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
