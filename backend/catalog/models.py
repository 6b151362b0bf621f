"""Tables of the catalog domain: the seed's categories and products."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key


class Category(SQLModel, table=True):
    __tablename__ = "categories"
    __table_args__ = (
        Index("categories_parent_id_idx", "parent_id"),
        CheckConstraint("parent_id IS DISTINCT FROM id", name="not_own_parent"),
    )

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(100), nullable=False))
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    description: str | None = Field(default=None, sa_column=Column(Text))
    parent_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("categories.id", ondelete="RESTRICT")),
    )
    position: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class Brand(SQLModel, table=True):
    __tablename__ = "brands"

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    created_at: datetime = created_at_column()


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock_quantity >= 0", name="stock_quantity_not_negative"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_not_negative"),
        # The stored rating (approved reviews only, kept by backend/catalog/ratings.py).
        CheckConstraint(
            "rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count",
            name="rating_totals_possible",
        ),
        CheckConstraint(
            "rating_average = CASE WHEN rating_count = 0 THEN 0 "
            "ELSE round(rating_sum::numeric / rating_count, 4) END",
            name="rating_average_matches",
        ),
        Index("products_category_id_idx", "category_id"),
        Index("products_brand_idx", "brand"),
        Index("products_created_at_idx", "created_at"),
        # Storefront listings: active products of a category in each sort order; the
        # trailing id makes the order total (stable pages).
        Index(
            "products_listing_price_idx",
            "category_id",
            "price",
            "id",
            postgresql_where=text("is_active"),
        ),
        Index(
            "products_listing_name_idx",
            "category_id",
            "name",
            "id",
            postgresql_where=text("is_active"),
        ),
        Index(
            "products_listing_newest_idx",
            "category_id",
            "created_at",
            "id",
            postgresql_where=text("is_active"),
        ),
        # "Highest rated": the average, then the number of reviews breaking ties.
        Index(
            "products_listing_rating_idx",
            "category_id",
            "rating_average",
            "rating_count",
            "id",
            postgresql_where=text("is_active"),
        ),
        # The same orders over the whole catalog (no category filter).
        Index("products_catalog_price_idx", "price", "id", postgresql_where=text("is_active")),
        Index("products_catalog_name_idx", "name", "id", postgresql_where=text("is_active")),
        Index(
            "products_catalog_newest_idx", "created_at", "id", postgresql_where=text("is_active")
        ),
        Index(
            "products_catalog_rating_idx",
            "rating_average",
            "rating_count",
            "id",
            postgresql_where=text("is_active"),
        ),
        # The staff table's "name or SKU contains" (migration 0009 creates pg_trgm).
        Index(
            "products_name_trgm_idx",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "products_sku_trgm_idx",
            "sku",
            postgresql_using="gin",
            postgresql_ops={"sku": "gin_trgm_ops"},
        ),
        Index("products_updated_at_idx", "updated_at"),
        Index(
            "products_attributes_idx",
            "attributes",
            postgresql_using="gin",
            postgresql_ops={"attributes": "jsonb_path_ops"},
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(255), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    sku: str = Field(sa_column=Column(String(50), nullable=False, unique=True))
    # The product's address in the storefront: /products/<slug>.
    slug: str = Field(sa_column=Column(String(160), nullable=False, unique=True))
    price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    currency: str = Field(
        default="USD",
        sa_column=Column(String(3), nullable=False, server_default=text("'USD'")),
    )
    category_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("categories.id", ondelete="RESTRICT"), nullable=False
        )
    )
    brand: str | None = Field(
        default=None,
        sa_column=Column(
            String(100), ForeignKey("brands.name", onupdate="CASCADE", ondelete="RESTRICT")
        ),
    )
    stock_quantity: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    image_urls: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text)))
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, server_default=text("'{}'::jsonb")),
    )
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    # At or below this, staff are alerted and the storefront says "Only N left".
    low_stock_threshold: int = Field(
        default=5, sa_column=Column(Integer, nullable=False, server_default=text("5"))
    )
    # Approved reviews: how many, the sum of their stars, and the average for sorting
    # (the exact average is rating_sum / rating_count; see backend/catalog/ratings.py).
    rating_count: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    rating_sum: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    rating_average: Decimal = Field(
        default=Decimal(0),
        sa_column=Column(Numeric(5, 4), nullable=False, server_default=text("0")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
