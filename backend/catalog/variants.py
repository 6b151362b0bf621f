"""Use cases that change a product's options and variants (docs/adr/0007-product-variants.md).

`save_variants` replaces a product's whole set (the editor's save, the API's PUT, the CSV
import): variants named by id keep their stock, the rest are made with a first count or
removed. `update_variants` changes fields of some variants (the editor's bulk table, the
API's PATCH). Stock is never changed here after a variant's first count: that is
inventory's (ledger, events). The product row's price, SKU and stock follow by themselves
(the database's summary trigger); each save records `ProductChanged` and the audit log in
its transaction, then invalidates the catalog cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.errors import DuplicateSkuError
from backend.catalog.events import ProductChanged
from backend.catalog.locks import lock_product_row_for_update
from backend.catalog.models import Product, ProductOption, ProductOptionValue, ProductVariant
from backend.catalog.variant_inputs import VariantInput, VariantsInput, VariantUpdate
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.validation import parse_input
from backend.events.outbox import record_event

CHANGE_CATALOG = "change the catalog"
NOT_FOUND = "There is no such product."


def _sku_error(error: IntegrityError) -> Exception:
    text = str(error.orig)
    if "product_variants_sku_key" in text or "products_sku_key" in text:
        return DuplicateSkuError("Another product or variant already uses one of these SKUs.")
    if "product_variants_combination_key" in text:
        return InvalidInputError("Two variants have the same option values.")
    return error


def _check_images(product: Product, urls: list[str], sku: str) -> None:
    own = set(product.image_urls or ())
    strangers = [url for url in urls if url not in own]
    if strangers:
        raise InvalidInputError(
            f"Variant {sku}: choose its images among the product's images.",
            {"image_urls": "Add the picture to the product first, then choose it here."},
        )


async def save_variants(
    product_id: uuid.UUID, data: VariantsInput | dict[str, Any], *, actor: Viewer
) -> None:
    """Replace the product's options and variants with `data`, all or nothing."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    wanted = data if isinstance(data, VariantsInput) else parse_input(VariantsInput, data)
    try:
        async with session_scope() as session:
            product = await lock_product_row_for_update(session, product_id)
            if product is None:
                raise NotFoundError(NOT_FOUND)
            before = await _audited_set(session, product_id)
            await replace_variants(session, product, wanted)
            await session.refresh(product)  # the summary the database just wrote
            await _record_change(session, product, actor, "product.variants_saved", before)
    except IntegrityError as exc:
        raise _sku_error(exc) from exc
    await cache.invalidate_after_commit()


async def _record_change(
    session: AsyncSession, product: Product, actor: Viewer, action: str, before: dict[str, Any]
) -> None:
    """`ProductChanged` and the audit log's before and after, in the change's transaction."""
    await record_event(
        session, ProductChanged(aggregate_id=str(product.id), change="updated", sku=product.sku)
    )
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="product",
        entity_id=product.id,
        before=before,
        after=await _audited_set(session, product.id),
    )


async def replace_variants(session: AsyncSession, product: Product, wanted: VariantsInput) -> None:
    """Replace a locked product's options and variants in the caller's transaction (no
    event, audit or cache: the caller's use case records them)."""
    existing = {
        variant.id: variant
        for variant in (
            await session.exec(
                select(ProductVariant).where(ProductVariant.product_id == product.id)
            )
        ).all()
    }
    strangers = {v.id for v in wanted.variants if v.id is not None} - existing.keys()
    if strangers:
        raise InvalidInputError("A variant named by id is not one of this product's.")
    # A variant given without its id but with an existing variant's SKU is that variant
    # (it keeps its id and stock): a client may send the whole set by SKU.
    by_sku = {variant.sku.lower(): variant.id for variant in existing.values()}
    wanted = wanted.model_copy(
        update={
            "variants": [
                v if v.id is not None else v.model_copy(update={"id": by_sku.get(v.sku.lower())})
                for v in wanted.variants
            ]
        }
    )
    kept_ids = {variant.id for variant in wanted.variants if variant.id is not None}
    for variant in wanted.variants:
        _check_images(product, variant.image_urls, variant.sku)
    for option in wanted.options:
        for url in option.swatches.values():
            _check_images(product, [url], option.name)
    # Removed variants go; past order lines keep their snapshots (variant id set NULL).
    removed = existing.keys() - kept_ids
    if removed:
        await session.exec(delete(ProductVariant).where(col(ProductVariant.id).in_(removed)))
    # The options are written afresh: free the kept variants' slots first (their
    # combination is checked at commit), then drop the old options and values.
    await session.exec(
        update(ProductVariant)
        .where(col(ProductVariant.product_id) == product.id)
        .values(
            option1_value_id=None, option2_value_id=None, option3_value_id=None, is_default=False
        )
    )
    await session.exec(delete(ProductOption).where(col(ProductOption.product_id) == product.id))
    value_ids: list[dict[str, uuid.UUID]] = []
    for position, option in enumerate(wanted.options, start=1):
        option_row = ProductOption(product_id=product.id, name=option.name, position=position)
        session.add(option_row)
        await session.flush()
        swatches = {value.lower(): url for value, url in option.swatches.items()}
        ids: dict[str, uuid.UUID] = {}
        for value_position, value in enumerate(option.values):
            value_row = ProductOptionValue(
                option_id=option_row.id,
                value=value,
                position=value_position,
                swatch_image_url=swatches.get(value.lower()),
            )
            session.add(value_row)
            await session.flush()
            ids[value.lower()] = value_row.id
        value_ids.append(ids)
    default_sku = (wanted.default_sku or wanted.variants[0].sku).lower()
    for position, variant in enumerate(wanted.variants):
        slots: list[uuid.UUID | None] = [
            ids[value.lower()] for ids, value in zip(value_ids, variant.option_values, strict=True)
        ]
        slots += [None] * (3 - len(slots))
        values = _variant_values(variant) | {
            "position": position,
            "is_default": variant.sku.lower() == default_sku,
            "option1_value_id": slots[0],
            "option2_value_id": slots[1],
            "option3_value_id": slots[2],
        }
        if variant.id is not None:
            await session.exec(
                update(ProductVariant).where(col(ProductVariant.id) == variant.id).values(**values)
            )
        else:
            session.add(
                ProductVariant(
                    product_id=product.id,
                    stock_quantity=variant.stock_quantity,
                    **values,
                )
            )
    await session.flush()


def _variant_values(variant: VariantInput) -> dict[str, Any]:
    return {
        "sku": variant.sku,
        "price": variant.price,
        "compare_at_price": variant.compare_at_price,
        "low_stock_threshold": variant.low_stock_threshold,
        "weight_grams": variant.weight_grams,
        "barcode": variant.barcode or None,
        "image_urls": variant.image_urls or None,
        "is_active": variant.is_active,
    }


async def _audited_set(session: AsyncSession, product_id: uuid.UUID) -> dict[str, Any]:
    """What the audit log keeps of a product's variants: SKU → price, stock, active."""
    rows = (
        await session.exec(select(ProductVariant).where(ProductVariant.product_id == product_id))
    ).all()
    return {
        "variants": {
            v.sku: {"price": str(v.price), "stock": v.stock_quantity, "active": v.is_active}
            for v in rows
        }
    }


async def update_variants(
    product_id: uuid.UUID,
    changes: Mapping[uuid.UUID, VariantUpdate | dict[str, Any]],
    *,
    actor: Viewer,
) -> int:
    """Change some of the product's variants (the bulk table: price, compare-at price,
    SKU, barcode, weight, images, active), all or nothing. How many changed."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    parsed = parse_variant_changes(changes)
    try:
        async with session_scope() as session:
            product = await lock_product_row_for_update(session, product_id)
            if product is None:
                raise NotFoundError(NOT_FOUND)
            before = await _audited_set(session, product_id)
            changed = await change_variants(session, product, parsed)
            if changed:
                await _record_change(session, product, actor, "product.variants_updated", before)
    except IntegrityError as exc:
        raise _sku_error(exc) from exc
    if changed:
        await cache.invalidate_after_commit()
    return changed


def parse_variant_changes(
    changes: Mapping[uuid.UUID, VariantUpdate | dict[str, Any]],
) -> dict[uuid.UUID, VariantUpdate]:
    return {
        variant_id: change
        if isinstance(change, VariantUpdate)
        else parse_input(VariantUpdate, change)
        for variant_id, change in changes.items()
    }


async def change_variants(
    session: AsyncSession, product: Product, parsed: dict[uuid.UUID, VariantUpdate]
) -> int:
    """Apply field changes to some variants of a locked product in the caller's
    transaction; how many changed. The product row is refreshed (its summary)."""
    variants = {
        variant.id: variant
        for variant in (
            await session.exec(
                select(ProductVariant)
                .where(col(ProductVariant.id).in_(parsed))
                .order_by(col(ProductVariant.id))
                .with_for_update()
            )
        ).all()
        if variant.product_id == product.id
    }
    if variants.keys() != parsed.keys():
        raise NotFoundError("There is no such variant of this product.")
    changed = 0
    for variant_id, change in parsed.items():
        variant = variants[variant_id]
        values = change.model_dump(exclude_unset=True)
        if "image_urls" in values:
            _check_images(product, values["image_urls"] or [], variant.sku)
            values["image_urls"] = values["image_urls"] or None
        price = values.get("price", variant.price)
        compare_at = values.get("compare_at_price", variant.compare_at_price)
        if compare_at is not None and compare_at <= price:
            raise InvalidInputError(
                f"Variant {variant.sku}: the compare-at price must be above the price.",
                {"compare_at_price": "Above the price, or empty."},
            )
        if "is_active" in values and not values["is_active"] and variant.is_default:
            raise InvalidInputError(
                "The default variant stays on sale: choose another default first."
            )
        updates = {
            field: value for field, value in values.items() if getattr(variant, field) != value
        }
        if updates:
            for field, value in updates.items():
                setattr(variant, field, value)
            changed += 1
    if changed:
        await session.flush()
        await session.refresh(product)  # the summary the database just wrote
    return changed
