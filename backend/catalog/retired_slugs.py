"""Addresses products and categories had before a rename (kept by triggers, migration
0019): where an old link should now go."""

from __future__ import annotations

from sqlmodel import col, select

from backend.catalog.models import Category, Product, RetiredCategorySlug, RetiredProductSlug
from backend.core.db import session_scope


async def find_renamed_product(old_slug: str) -> str | None:
    """The current slug of the active product that was once at `old_slug`, if any."""
    async with session_scope() as session:
        return (
            await session.exec(
                select(Product.slug)
                .join(RetiredProductSlug, col(RetiredProductSlug.product_id) == col(Product.id))
                .where(col(RetiredProductSlug.slug) == old_slug, col(Product.is_active))
            )
        ).first()


async def find_renamed_category(old_slug: str) -> str | None:
    """The current slug of the category that was once at `old_slug`, if any."""
    async with session_scope() as session:
        return (
            await session.exec(
                select(Category.slug)
                .join(RetiredCategorySlug, col(RetiredCategorySlug.category_id) == col(Category.id))
                .where(col(RetiredCategorySlug.slug) == old_slug)
            )
        ).first()
