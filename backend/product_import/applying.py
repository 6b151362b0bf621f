"""Import step 2: write a preview's rows in chunks, one transaction each; an existing
product's changed stock goes through inventory."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, literal_column, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.inputs import ProductCreate
from backend.catalog.models import Brand, Product, ProductVariant
from backend.catalog.services import brand_slug, product_slug, record_products_changed
from backend.core.db import session_scope
from backend.inventory import services as inventory
from backend.product_import.columns import _WRITTEN_FIELDS, APPLY_CHUNK_ROWS, IMPORT, STOCK_REASON
from backend.product_import.parsing import _changed_values, _rejected
from backend.product_import.previews import _chunked, _products_by_sku, _take_payload
from backend.product_import.shapes import ImportResult, ProgressCallback, RejectedRow, _PendingRow
from backend.product_import.variant_rows import VariantGroup, apply_group

logger = logging.getLogger(__name__)


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
    require_permission(actor, Permission.CATALOG, IMPORT)
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
    # Products sold in sizes: one catalog use case per product (its variants together).
    for item in payload.get("groups", ()):
        group = VariantGroup.from_json(item)
        if await apply_group(actor, group):
            if group.product_id is None:
                created += len(group.rows)
            else:
                updated += len(group.rows)
        else:
            failed += [
                RejectedRow(
                    number,
                    group.handle,
                    f"Row {number}: the catalog refused this product's variants when applied "
                    "(a SKU taken meanwhile?); preview the file again.",
                )
                for number in group.rows
            ]
    return ImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        failed=tuple(sorted(failed, key=lambda item: item.row)),
        rejected=payload["rejected"],
        file_rows=payload["file_rows"],
    )


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
    table = Product.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models at runtime
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
    written = [(by_sku[sku], product_id, bool(inserted)) for product_id, sku, inserted in rows]
    await _write_default_variants(session, written)
    return written


async def _write_default_variants(
    session: AsyncSession, written: list[tuple[_Write, uuid.UUID, bool]]
) -> None:
    """A row is a product's default variant (ADR 0007): a new product gets it, under the
    product's id, with the first count; an existing one's default variant takes the
    row's price and threshold (the product row's summary follows by itself)."""
    variants = ProductVariant.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models at runtime
    new = [
        {
            "id": product_id,
            "product_id": product_id,
            "sku": write.values["sku"],
            "price": write.values["price"],
            "stock_quantity": write.values["stock_quantity"],
            "low_stock_threshold": write.values["low_stock_threshold"],
            "is_default": True,
        }
        for write, product_id, inserted in written
        if inserted
    ]
    if new:
        await session.exec(insert(variants), params=new)
    existing = [
        {
            "owner": product_id,
            "new_price": write.values["price"],
            "new_threshold": write.values["low_stock_threshold"],
        }
        for write, product_id, inserted in written
        if not inserted
    ]
    if existing:
        await session.exec(
            update(variants)
            .where(variants.c.product_id == bindparam("owner"), variants.c.is_default)
            .values(price=bindparam("new_price"), low_stock_threshold=bindparam("new_threshold")),
            params=existing,
        )


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
    variant_ids = (
        await session.exec(
            select(ProductVariant.id).where(ProductVariant.product_id == product_id).limit(2)
        )
    ).all()
    if len(variant_ids) != 1:
        return  # a row's count is one variant's: a product with several keeps theirs
    await inventory.set_stock(
        session,
        variant_ids[0],
        quantity=write.values["stock_quantity"],
        reason=STOCK_REASON,
        actor_id=actor.user_id,
        note=f"CSV import, row {write.pending.row}",
    )
