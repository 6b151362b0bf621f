"""Reading products' options and variants: for a product's page, the staff editor and the
API (`load_options_and_variants`), and for carts and the checkout, which price and stock
what is bought now (`get_variant_summaries`, never cached).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from functools import cache
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.catalog.models import Product, ProductOption, ProductOptionValue, ProductVariant
from backend.catalog.schemas import OptionValueView, OptionView, VariantSummary, VariantView
from backend.core.db import read_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.like import contains_pattern

OptionsAndVariants = tuple[tuple[OptionView, ...], tuple[VariantView, ...]]

_VALUE_SLOTS = (
    ProductVariant.option1_value_id,
    ProductVariant.option2_value_id,
    ProductVariant.option3_value_id,
)


async def load_options_and_variants(
    session: AsyncSession, product_ids: list[uuid.UUID], *, active_only: bool
) -> dict[uuid.UUID, OptionsAndVariants]:
    """Each product's options (with their values) and variants (only the active ones when
    `active_only`), in the order shoppers see them. Two SQL statements for any number of
    products."""
    if not product_ids:
        return {}
    option_rows = (
        await session.exec(
            select(ProductOption, ProductOptionValue)
            .join(ProductOptionValue, col(ProductOptionValue.option_id) == col(ProductOption.id))
            .where(col(ProductOption.product_id).in_(product_ids))
            .order_by(col(ProductOption.position), col(ProductOptionValue.position))
        )
    ).all()
    value_names: dict[uuid.UUID, str] = {}
    options: dict[uuid.UUID, dict[uuid.UUID, tuple[ProductOption, list[OptionValueView]]]] = (
        defaultdict(dict)
    )
    for option, value in option_rows:
        value_names[value.id] = value.value
        entry = options[option.product_id].setdefault(option.id, (option, []))
        entry[1].append(OptionValueView(value.value, value.swatch_image_url))
    variant_statement = (
        select(ProductVariant, col(Product.currency))
        .join(Product, col(Product.id) == col(ProductVariant.product_id))
        .where(col(ProductVariant.product_id).in_(product_ids))
        .order_by(col(ProductVariant.position), col(ProductVariant.sku))
    )
    if active_only:
        variant_statement = variant_statement.where(col(ProductVariant.is_active))
    variants: dict[uuid.UUID, list[VariantView]] = defaultdict(list)
    for variant, currency in (await session.exec(variant_statement)).all():
        variants[variant.product_id].append(_variant_view(variant, currency, value_names))
    return {
        product_id: (
            tuple(
                OptionView(option.name, tuple(values))
                for option, values in sorted(
                    options[product_id].values(), key=lambda entry: entry[0].position
                )
            ),
            tuple(variants[product_id]),
        )
        for product_id in product_ids
    }


def _variant_view(
    variant: ProductVariant, currency: str, value_names: dict[uuid.UUID, str]
) -> VariantView:
    slots = (variant.option1_value_id, variant.option2_value_id, variant.option3_value_id)
    return VariantView(
        id=variant.id,
        sku=variant.sku,
        price=variant.price,
        compare_at_price=variant.compare_at_price,
        currency=currency,
        stock_quantity=variant.stock_quantity,
        low_stock_threshold=variant.low_stock_threshold,
        is_active=variant.is_active,
        is_default=variant.is_default,
        position=variant.position,
        option_values=tuple(value_names[slot] for slot in slots if slot is not None),
        image_urls=tuple(variant.image_urls or ()),
        weight_grams=variant.weight_grams,
        barcode=variant.barcode,
    )


async def get_options_and_variants(
    product_id: uuid.UUID, *, active_only: bool = False
) -> OptionsAndVariants:
    async with read_scope() as session:
        found = await load_options_and_variants(session, [product_id], active_only=active_only)
    return found[product_id]


@cache
def _variant_summary_select() -> SQLModelSelect[*tuple[Any, ...]]:
    """Built once: a statement is immutable (each `.where` makes a new one), and building
    this one (six aliased joins) cost more CPU than running it (the journey's profile)."""
    values = [aliased(ProductOptionValue) for _ in _VALUE_SLOTS]
    option_names = [aliased(ProductOption) for _ in _VALUE_SLOTS]
    columns: list[Any] = [
        col(ProductVariant.id),
        col(ProductVariant.product_id),
        col(Product.slug),
        col(Product.name),
        col(ProductVariant.sku),
        col(ProductVariant.price),
        col(ProductVariant.compare_at_price),
        col(Product.currency),
        col(ProductVariant.stock_quantity),
        col(ProductVariant.low_stock_threshold),
        and_(col(ProductVariant.is_active), col(Product.is_active)),
        # PostgreSQL arrays start at 1; a variant without images shows the product's.
        col(ProductVariant.image_urls)[1],
        col(Product.image_urls)[1],
        col(ProductVariant.weight_grams),
    ]
    for value, option in zip(values, option_names, strict=True):
        columns += [option.name, value.value]
    statement: SQLModelSelect[*tuple[Any, ...]] = SQLModelSelect(*columns).join(
        Product, col(Product.id) == col(ProductVariant.product_id)
    )
    for slot, value, option in zip(_VALUE_SLOTS, values, option_names, strict=True):
        statement = statement.outerjoin(value, col(value.id) == col(slot)).outerjoin(
            option, col(option.id) == col(value.option_id)
        )
    return statement


def _variant_summary(row: Any) -> VariantSummary:
    (
        variant_id,
        product_id,
        slug,
        name,
        sku,
        price,
        compare_at_price,
        currency,
        stock_quantity,
        low_stock_threshold,
        is_active,
        variant_image,
        product_image,
        weight_grams,
        *slots,
    ) = row
    options = tuple(
        (slots[index], slots[index + 1])
        for index in range(0, len(slots), 2)
        if slots[index] is not None
    )
    return VariantSummary(
        id=variant_id,
        product_id=product_id,
        slug=slug,
        name=name,
        sku=sku,
        options=options,
        price=price,
        compare_at_price=compare_at_price,
        currency=currency,
        stock_quantity=stock_quantity,
        low_stock_threshold=low_stock_threshold,
        is_active=bool(is_active),
        image_url=variant_image or product_image,
        weight_grams=weight_grams,
    )


async def get_variant_summaries(
    variant_ids: list[uuid.UUID], *, session: AsyncSession | None = None
) -> dict[uuid.UUID, VariantSummary]:
    """Variants by id, sold or not, as they are now: one SQL statement; unknown ids are
    simply missing. In the caller's transaction when `session` is given."""
    if not variant_ids:
        return {}
    statement = _variant_summary_select().where(col(ProductVariant.id).in_(variant_ids))
    if session is not None:
        rows = (await session.exec(statement)).all()
    else:
        async with read_scope() as own_session:
            rows = (await own_session.exec(statement)).all()
    return {summary.id: summary for summary in map(_variant_summary, rows)}


async def variants_in_stock(
    product_ids: list[uuid.UUID], *, session: AsyncSession
) -> dict[uuid.UUID, list[VariantSummary]]:
    """The variants of these products on sale and in stock now, by product, in the
    product's variant order: one SQL statement."""
    if not product_ids:
        return {}
    statement = (
        _variant_summary_select()
        .where(
            col(ProductVariant.product_id).in_(product_ids),
            col(ProductVariant.is_active),
            col(Product.is_active),
            col(ProductVariant.stock_quantity) > 0,
        )
        .order_by(col(ProductVariant.position), col(ProductVariant.sku))
    )
    found: dict[uuid.UUID, list[VariantSummary]] = {}
    for summary in map(_variant_summary, (await session.exec(statement)).all()):
        found.setdefault(summary.product_id, []).append(summary)
    return found


async def find_sellable_variants(term: str, *, limit: int = 10) -> list[VariantSummary]:
    """Variants on sale whose SKU or product name contains `term` (any case), for staff
    putting an order together: one SQL statement, by product name then SKU."""
    term = term.strip()[:100]
    if len(term) < 2:
        return []
    pattern = contains_pattern(term)
    statement = (
        _variant_summary_select()
        .where(
            col(ProductVariant.is_active),
            col(Product.is_active),
            col(ProductVariant.sku).ilike(pattern) | col(Product.name).ilike(pattern),
        )
        .order_by(col(Product.name), col(ProductVariant.sku))
        .limit(limit)
    )
    async with read_scope() as session:
        rows = (await session.exec(statement)).all()
    return [_variant_summary(row) for row in rows]


CHOOSE_VARIANT = "Choose a size, colour or other option of this product."


async def variant_for_product(product_id: uuid.UUID) -> uuid.UUID:
    """The variant a product id stands for at the edges (the API's `product_id`, old
    links): its only active variant. Raises NotFoundError for an unknown product and
    InvalidInputError when the shopper has to choose among several."""
    async with read_scope() as session:
        ids = (
            await session.exec(
                select(ProductVariant.id)
                .where(ProductVariant.product_id == product_id, col(ProductVariant.is_active))
                .limit(2)
            )
        ).all()
    if not ids:
        raise NotFoundError("There is no such product.")
    if len(ids) > 1:
        raise InvalidInputError(CHOOSE_VARIANT, {"variant_id": CHOOSE_VARIANT})
    return ids[0]


async def find_variant_by_sku(sku: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(product id, variant id) of the variant with this SKU (case-insensitive)."""
    async with read_scope() as session:
        row = (
            await session.exec(
                select(ProductVariant.product_id, ProductVariant.id).where(
                    func.lower(ProductVariant.sku) == sku.strip().lower()[:50]
                )
            )
        ).first()
    return (row[0], row[1]) if row else None


async def product_stock(session: AsyncSession, product_id: uuid.UUID) -> tuple[int, int]:
    """A product's stock (its variants' sum, as the database keeps it) and its low-stock
    threshold, in the caller's transaction: what its listings show of availability."""
    stock, threshold = (
        await session.exec(
            select(col(Product.stock_quantity), col(Product.low_stock_threshold)).where(
                col(Product.id) == product_id
            )
        )
    ).one()
    return stock, threshold
