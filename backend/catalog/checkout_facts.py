"""What checkout needs to know of the variants bought, beyond price and stock: their
weight (shipping rates by weight), product and categories (methods that exclude some),
and the product's tax class."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product, ProductVariant


@dataclass(frozen=True)
class VariantFacts:
    product_id: uuid.UUID
    weight_grams: int | None
    tax_class: str
    # The product's category and every category above it.
    category_ids: frozenset[uuid.UUID]


_CATEGORY_LINEAGE = text(
    """
    WITH RECURSIVE lineage(start_id, id, parent_id) AS (
        SELECT c.id, c.id, c.parent_id FROM categories c WHERE c.id = ANY(:ids)
        UNION
        SELECT l.start_id, p.id, p.parent_id
        FROM lineage l JOIN categories p ON p.id = l.parent_id
    )
    SELECT start_id, id FROM lineage
    """
)


async def variant_facts(
    session: AsyncSession, variant_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, VariantFacts]:
    """By variant id; variants that no longer exist are left out. Two statements."""
    if not variant_ids:
        return {}
    rows = (
        await session.exec(
            select(ProductVariant, Product)
            .join(Product, col(Product.id) == col(ProductVariant.product_id))
            .where(col(ProductVariant.id).in_(list(variant_ids)))
        )
    ).all()
    categories = list({product.category_id for _, product in rows})
    lineage: dict[uuid.UUID, set[uuid.UUID]] = {category: set() for category in categories}
    found = await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
        _CATEGORY_LINEAGE, params={"ids": categories}
    )
    for start, ancestor in found:
        lineage[start].add(ancestor)
    return {
        variant.id: VariantFacts(
            product.id,
            variant.weight_grams,
            product.tax_class,
            frozenset(lineage[product.category_id]),
        )
        for variant, product in rows
    }
