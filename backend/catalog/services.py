"""Use cases of the catalog domain: the only code that writes products (categories and
brands: `taxonomy.py`).

Only administrators change the catalog; each service checks that itself and writes the
audit log in the same transaction. Every product change records `ProductChanged` there
too (search, caches and integrations follow it) and invalidates the catalog cache right
after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from slugify import slugify
from sqlalchemy import ColumnElement, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache
from backend.catalog.errors import DuplicateSkuError, DuplicateSlugError
from backend.catalog.events import ProductChanged, ProductsChanged
from backend.catalog.inputs import MAX_PRICE, ProductCreate, ProductUpdate
from backend.catalog.locks import lock_product_row_for_update, lock_products_for_update
from backend.catalog.models import Brand, Product, ProductVariant
from backend.catalog.variant_inputs import VariantsInput, VariantUpdate
from backend.catalog.variants import change_variants, parse_variant_changes, replace_variants
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.money import quantize
from backend.core.validation import parse_input
from backend.events.outbox import record_event
from backend.media.services import StoredImage, upload_image

NOT_FOUND = "There is no such product."
CHANGE_CATALOG = "change the catalog"
MAX_BULK_PRODUCTS = 500
MIN_PRICE_CHANGE = Decimal(-90)
MAX_PRICE_CHANGE = Decimal(1000)
MAX_PRODUCT_IMAGES = 12  # ProductCreate/ProductUpdate.image_urls
# What the audit log keeps of a product's fields (the description can be long).
_AUDITED_TEXT_LIMIT = 200


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {
        field: value[:_AUDITED_TEXT_LIMIT] if isinstance(value, str) else value
        for field, value in values.items()
    }


def product_slug(name: str, sku: str) -> str:
    """The storefront address: readable, and unique because the SKU is."""
    return slugify(f"{name[:120]} {sku}", max_length=160)


def brand_slug(name: str) -> str:
    return slugify(name, max_length=120) or "brand"


async def _ensure_brand(session: AsyncSession, name: str | None) -> None:
    if name:
        await session.exec(
            insert(Brand)
            .values(name=name, slug=brand_slug(name))
            .on_conflict_do_nothing(index_elements=["name"])
        )


def _variants_input(variants: VariantsInput | dict[str, Any] | None) -> VariantsInput | None:
    if variants is None or isinstance(variants, VariantsInput):
        return variants
    return parse_input(VariantsInput, variants)


def _integrity_error(error: IntegrityError, data: dict[str, Any]) -> Exception:
    text = str(error.orig)
    if "products_sku_key" in text or "product_variants_sku_key" in text:
        return DuplicateSkuError(
            f"Another product already uses SKU {data.get('sku')}.", field="sku", sku=data.get("sku")
        )
    if "products_slug_key" in text:
        return DuplicateSlugError("Another product already uses this address.", field="slug")
    if "product_variants_combination_key" in text:
        return InvalidInputError("Two variants have the same option values.")
    if "products_tax_class_fkey" in text:
        return InvalidInputError(
            "Choose an existing tax class.", {"tax_class": "Choose a tax class."}
        )
    if "products_category_id_fkey" in text:
        return InvalidInputError(
            "Choose an existing category.", {"category_id": "Choose an existing category."}
        )
    return error


BULK_EVENT_SIZE = 500  # products per ProductsChanged event


async def record_matching_products_changed(
    session: AsyncSession, where: ColumnElement[bool], *, reason: str
) -> int:
    """`ProductsChanged` for every product matching `where` (its search document changed)."""
    ids = list((await session.exec(select(Product.id).where(where))).all())
    await record_products_changed(session, ids, reason=reason)
    return len(ids)


async def record_products_changed(
    session: AsyncSession, product_ids: list[uuid.UUID], *, reason: str
) -> None:
    """`ProductsChanged` for many products, in batches, in the caller's transaction."""
    ids = [str(product_id) for product_id in product_ids]
    for start in range(0, len(ids), BULK_EVENT_SIZE):
        await record_event(
            session,
            ProductsChanged(
                aggregate_id="catalog",
                product_ids=ids[start : start + BULK_EVENT_SIZE],
                reason=reason,
            ),
        )


async def _changed(
    session: AsyncSession, product: Product, change: Literal["created", "updated", "deleted"]
) -> None:
    await record_event(
        session, ProductChanged(aggregate_id=str(product.id), change=change, sku=product.sku)
    )


async def create_product(
    data: ProductCreate | dict[str, Any],
    *,
    actor: Viewer,
    variants: VariantsInput | dict[str, Any] | None = None,
) -> uuid.UUID:
    """A new product with its first variant (the product's SKU, price and stock), or with
    `variants` (options and variants, replacing that first one) in the same transaction."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    product_input = data if isinstance(data, ProductCreate) else parse_input(ProductCreate, data)
    wanted = _variants_input(variants)
    values = product_input.model_dump()
    values["slug"] = values["slug"] or product_slug(product_input.name, product_input.sku)
    try:
        async with session_scope() as session:
            await _ensure_brand(session, product_input.brand)
            product = Product(**values)
            session.add(product)
            await session.flush()
            # Every product has a variant; the first takes the product's id (ADR 0007).
            session.add(
                ProductVariant(
                    id=product.id,
                    product_id=product.id,
                    sku=product.sku,
                    price=product.price,
                    stock_quantity=product.stock_quantity,
                    low_stock_threshold=product.low_stock_threshold,
                    is_default=True,
                )
            )
            await session.flush()
            if wanted is not None:
                await replace_variants(session, product, wanted)
                await session.refresh(product)  # the summary the database just wrote
            await _changed(session, product, "created")
            audit.record(
                session,
                actor=actor,
                action="product.created",
                entity_type="product",
                entity_id=product.id,
                after=_audited(values),
            )
            product_id = product.id
    except IntegrityError as exc:
        raise _integrity_error(exc, values) from exc
    await cache.invalidate_after_commit()
    return product_id


async def update_product(
    product_id: uuid.UUID,
    data: ProductUpdate | dict[str, Any],
    *,
    actor: Viewer,
    variants: VariantsInput | dict[str, Any] | None = None,
    variant_changes: Mapping[uuid.UUID, VariantUpdate | dict[str, Any]] | None = None,
) -> None:
    """Change only the given fields (PATCH); PUT callers pass every field. A stock count
    different from the current one is refused: stock changes go through inventory.
    `variants` replaces the options and variants (PUT), `variant_changes` changes some
    variants' fields (PATCH), in the same transaction."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    change = data if isinstance(data, ProductUpdate) else parse_input(ProductUpdate, data)
    wanted = _variants_input(variants)
    changes = parse_variant_changes(variant_changes or {})
    values = change.model_dump(exclude_unset=True)
    if wanted is not None:
        # The product's price, SKU and stock are then its variants' (the summary).
        for derived in ("price", "sku", "stock_quantity"):
            values.pop(derived, None)
    try:
        async with session_scope() as session:
            product = await lock_product_row_for_update(session, product_id)
            if product is None:
                raise NotFoundError(NOT_FOUND)
            if "brand" in values:
                await _ensure_brand(session, values["brand"])
            before = {field: getattr(product, field) for field in values}
            changed = {field: value for field, value in values.items() if before[field] != value}
            if "stock_quantity" in changed:
                # Stock is inventory's (ledger, InventoryUpdated, low-stock rule): a
                # product change may repeat the current count, never change it.
                raise InvalidInputError(
                    "Stock is changed by a stock adjustment, not by editing the product.",
                    {
                        "stock_quantity": f"{before['stock_quantity']} in stock: adjust it "
                        "on the inventory page (the change is then recorded)."
                    },
                )
            if not changed and wanted is None and not changes:
                return
            await _apply_to_variants(session, product, changed)
            for field, value in changed.items():
                setattr(product, field, value)
            await session.flush()
            if wanted is not None:
                await replace_variants(session, product, wanted)
            variants_changed = await change_variants(session, product, changes) if changes else 0
            if not changed and wanted is None and not variants_changed:
                return
            await session.refresh(product)  # the summary the database just wrote
            await _changed(session, product, "updated")
            audit.record(
                session,
                actor=actor,
                action="product.updated",
                entity_type="product",
                entity_id=product.id,
                before=_audited({field: before[field] for field in changed}),
                after=_audited(changed)
                | ({"variants": "replaced"} if wanted is not None else {})
                | ({"variants_changed": variants_changed} if variants_changed else {}),
            )
    except IntegrityError as exc:
        raise _integrity_error(exc, values) from exc
    await cache.invalidate_after_commit()


# A product's own price, SKU and threshold are its variants' (ADR 0007): a change of them
# through the product goes to the variants it stands for.
_VARIANT_FIELDS = ("price", "sku", "low_stock_threshold")


async def _apply_to_variants(
    session: AsyncSession, product: Product, changed: dict[str, Any]
) -> None:
    wanted = {field: changed[field] for field in _VARIANT_FIELDS if field in changed}
    if not wanted:
        return
    count = (
        await session.exec(select(func.count()).where(col(ProductVariant.product_id) == product.id))
    ).one()
    if count > 1 and "price" in wanted:
        raise InvalidInputError(
            "This product has variants: set prices per variant.",
            {"price": "Set each variant's price in the variants table."},
        )
    if "sku" in wanted:  # the product's SKU is its default variant's
        await session.exec(
            update(ProductVariant)
            .where(col(ProductVariant.product_id) == product.id, col(ProductVariant.is_default))
            .values(sku=wanted.pop("sku"))
        )
    if wanted:
        await session.exec(
            update(ProductVariant)
            .where(col(ProductVariant.product_id) == product.id)
            .values(**wanted)
        )


async def add_product_image(product_id: uuid.UUID, data: bytes, *, actor: Viewer) -> StoredImage:
    """Store an uploaded picture (JPEG, PNG or WebP; the media service's size and pixel
    limits) and add it last to the product's images, at most MAX_PRODUCT_IMAGES. The same
    picture twice is stored and listed once. Raises the media domain's InvalidImageError
    subclasses for a file it refuses."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    full = InvalidInputError(
        f"A product has at most {MAX_PRODUCT_IMAGES} images.",
        {"file": f"Remove an image first: at most {MAX_PRODUCT_IMAGES}."},
    )
    async with session_scope() as session:  # refuse before storing anything
        product = await session.get(Product, product_id)
        if product is None:
            raise NotFoundError(NOT_FOUND)
        if len(product.image_urls or []) >= MAX_PRODUCT_IMAGES:
            raise full
    stored = await upload_image(data)
    async with session_scope() as session:
        product = await lock_product_row_for_update(session, product_id)
        if product is None:
            raise NotFoundError(NOT_FOUND)
        before = list(product.image_urls or [])
        if stored.url in before:
            return stored
        if len(before) >= MAX_PRODUCT_IMAGES:
            raise full
        product.image_urls = [*before, stored.url]
        session.add(product)
        await session.flush()
        await _changed(session, product, "updated")
        audit.record(
            session,
            actor=actor,
            action="product.updated",
            entity_type="product",
            entity_id=product.id,
            before={"image_urls": before},
            after={"image_urls": product.image_urls},
        )
    await cache.invalidate_after_commit()
    return stored


async def set_product_active(product_id: uuid.UUID, *, active: bool, actor: Viewer) -> None:
    await update_product(product_id, ProductUpdate(is_active=active), actor=actor)


async def delete_product(product_id: uuid.UUID, *, actor: Viewer) -> None:
    """Gone from the catalog; past orders keep their line snapshots (name, SKU, price)."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    async with session_scope() as session:
        product = await lock_product_row_for_update(session, product_id)
        if product is None:
            raise NotFoundError(NOT_FOUND)
        await _changed(session, product, "deleted")
        audit.record(
            session,
            actor=actor,
            action="product.deleted",
            entity_type="product",
            entity_id=product.id,
            before={"sku": product.sku, "name": product.name, "price": product.price},
        )
        await session.delete(product)
    await cache.invalidate_after_commit()


# --- bulk changes from the staff table ------------------------------------------------------


def _bulk_ids(product_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    unique_ids = sorted(set(product_ids))  # id order: row locks taken in one order
    if not unique_ids:
        raise InvalidInputError("Select at least one product.")
    if len(unique_ids) > MAX_BULK_PRODUCTS:
        raise InvalidInputError(f"Select at most {MAX_BULK_PRODUCTS} products at a time.")
    return unique_ids


async def set_products_active(product_ids: list[uuid.UUID], *, active: bool, actor: Viewer) -> int:
    """Show or hide many products at once; how many changed."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    ids = _bulk_ids(product_ids)
    async with session_scope() as session:
        rows = (
            await session.exec(
                update(Product)
                .where(col(Product.id).in_(ids), col(Product.is_active) != active)
                .values(is_active=active)
                .returning(col(Product.id), col(Product.sku))
            )
        ).all()
        await record_products_changed(
            session, [product_id for product_id, _ in rows], reason="bulk_update"
        )
        for product_id, _sku in rows:
            audit.record(
                session,
                actor=actor,
                action="product.bulk_updated",
                entity_type="product",
                entity_id=product_id,
                before={"is_active": not active},
                after={"is_active": active},
            )
    await cache.invalidate_after_commit()
    return len(rows)


def changed_price(price: Decimal, percent: Decimal) -> Decimal:
    """`price` changed by `percent` (+10 raises by 10 %), rounded half-up to the cent once."""
    return quantize(price * (Decimal(100) + percent) / Decimal(100))


async def change_prices_by_percent(
    product_ids: list[uuid.UUID], percent: Decimal, *, actor: Viewer
) -> int:
    """Raise or lower the price of many products (every variant of each) by a percentage
    (−90 % to +1000 %); all or nothing. How many products changed."""
    require_permission(actor, Permission.CATALOG, CHANGE_CATALOG)
    ids = _bulk_ids(product_ids)
    if (
        not percent.is_finite()
        or not MIN_PRICE_CHANGE <= percent <= MAX_PRICE_CHANGE
        or percent == 0
    ):
        raise InvalidInputError(
            f"Enter a change between {MIN_PRICE_CHANGE} % and +{MAX_PRICE_CHANGE} %, not 0.",
            {"percent": "Enter a percentage such as 10 or -15."},
        )
    async with session_scope() as session:
        products = await lock_products_for_update(session, ids)
        variants = (
            await session.exec(
                select(ProductVariant)
                .where(col(ProductVariant.product_id).in_([p.id for p in products]))
                .order_by(col(ProductVariant.id))
                .with_for_update()
            )
        ).all()
        changed_products: dict[uuid.UUID, list[tuple[ProductVariant, Decimal]]] = {}
        for variant in variants:
            new_price = changed_price(variant.price, percent)
            if new_price > MAX_PRICE:
                raise InvalidInputError(
                    f"{variant.sku} would cost more than {MAX_PRICE}; nothing was changed."
                )
            if variant.compare_at_price is not None and new_price >= variant.compare_at_price:
                raise InvalidInputError(
                    f"{variant.sku} would cost at least its compare-at price "
                    f"({variant.compare_at_price}); nothing was changed."
                )
            if new_price != variant.price:
                changed_products.setdefault(variant.product_id, []).append((variant, new_price))
        for product_id, changes in changed_products.items():
            audit.record(
                session,
                actor=actor,
                action="product.bulk_updated",
                entity_type="product",
                entity_id=product_id,
                before={"price": {v.sku: v.price for v, _ in changes}},
                after={"price": {v.sku: price for v, price in changes}, "percent": percent},
            )
            for variant, new_price in changes:
                variant.price = new_price
        await session.flush()
        await record_products_changed(session, list(changed_products), reason="bulk_update")
    await cache.invalidate_after_commit()
    return len(changed_products)
