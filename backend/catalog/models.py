"""Tables of the catalog domain: the seed's categories and products, and each product's
options and variants."""

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
    UniqueConstraint,
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
        Index("products_option_values_idx", "option_values", postgresql_using="gin"),
        Index(
            "products_option_values_in_stock_idx",
            "option_values_in_stock",
            postgresql_using="gin",
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
    # The tax class its goods are taxed under (backend/tax): "standard", "reduced", "zero".
    tax_class: str = Field(
        default="standard",
        sa_column=Column(
            String(20),
            ForeignKey("tax_classes.code", onupdate="CASCADE", ondelete="RESTRICT"),
            nullable=False,
            server_default=text("'standard'"),
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
    # The option values its variants on sale have, "size\x1fM" (and those in stock): a
    # summary the database keeps with price and stock (migration 0018), for listing facets.
    option_values: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )
    option_values_in_stock: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
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


# --- options and variants (docs/adr/0007-product-variants.md) --------------------------------

MAX_OPTIONS = 3  # Size, Colour, Material: one slot column per option on each variant
MAX_VARIANTS = 100


class ProductOption(SQLModel, table=True):
    """One way a product varies ("Size"), at position 1–3 of its product."""

    __tablename__ = "product_options"
    __table_args__ = (
        CheckConstraint(f"position BETWEEN 1 AND {MAX_OPTIONS}", name="position_in_range"),
        UniqueConstraint("product_id", "position"),
        Index("product_options_name_key", "product_id", text("lower(name)"), unique=True),
    )

    id: uuid.UUID = uuid_primary_key()
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = Field(sa_column=Column(String(40), nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))


class ProductOptionValue(SQLModel, table=True):
    """One value of an option ("M"), in the order shoppers see them."""

    __tablename__ = "product_option_values"
    __table_args__ = (
        Index("product_option_values_value_key", "option_id", text("lower(value)"), unique=True),
        Index("product_option_values_option_position_idx", "option_id", "position"),
    )

    id: uuid.UUID = uuid_primary_key()
    option_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("product_options.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    value: str = Field(sa_column=Column(String(60), nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    # A colour's swatch: one of the product's images (checked by the service).
    swatch_image_url: str | None = Field(default=None, sa_column=Column(Text))


def _option_slot() -> Column[uuid.UUID]:
    # NO ACTION: a value in use cannot be deleted (its variants go first), checked at the
    # end of the statement, so deleting a product (cascading to both) works.
    return Column(UUID(as_uuid=True), ForeignKey("product_option_values.id"))


class ProductVariant(SQLModel, table=True):
    """What is bought: one combination of the product's option values, with its own SKU,
    price and stock. `stock_quantity` and `low_stock_threshold` are inventory's to write.
    The product row's price, SKU and stock are a summary of these, kept by the database
    (migration 0018's trigger)."""

    __tablename__ = "product_variants"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "compare_at_price IS NULL OR compare_at_price > price", name="compare_at_above_price"
        ),
        CheckConstraint("stock_quantity >= 0", name="stock_quantity_not_negative"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_not_negative"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        # Slots are filled from the first: a variant of a two-option product has 1 and 2.
        CheckConstraint(
            "(option2_value_id IS NULL OR option1_value_id IS NOT NULL) "
            "AND (option3_value_id IS NULL OR option2_value_id IS NOT NULL)",
            name="option_slots_in_order",
        ),
        # No two variants of a product are the same combination.
        UniqueConstraint(
            "product_id",
            "option1_value_id",
            "option2_value_id",
            "option3_value_id",
            name="product_variants_combination_key",
            postgresql_nulls_not_distinct=True,
            # Checked at commit: an editor may swap two variants' values in between.
            deferrable=True,
            initially="DEFERRED",
        ),
        Index(
            "product_variants_one_default_key",
            "product_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        Index("product_variants_product_position_idx", "product_id", "position"),
        # Facets by option value: variants having a value, in stock.
        Index("product_variants_option1_idx", "option1_value_id", "stock_quantity"),
        Index("product_variants_option2_idx", "option2_value_id", "stock_quantity"),
        Index("product_variants_option3_idx", "option3_value_id", "stock_quantity"),
        Index(
            "product_variants_sku_trgm_idx",
            "sku",
            postgresql_using="gin",
            postgresql_ops={"sku": "gin_trgm_ops"},
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    sku: str = Field(sa_column=Column(String(50), nullable=False, unique=True))
    price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    compare_at_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    stock_quantity: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    low_stock_threshold: int = Field(
        default=5, sa_column=Column(Integer, nullable=False, server_default=text("5"))
    )
    weight_grams: int | None = Field(default=None, sa_column=Column(Integer))
    barcode: str | None = Field(default=None, sa_column=Column(String(64)))
    # A subset of the product's images, first shown first; empty: the product's.
    image_urls: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text)))
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    is_default: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    position: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    option1_value_id: uuid.UUID | None = Field(default=None, sa_column=_option_slot())
    option2_value_id: uuid.UUID | None = Field(default=None, sa_column=_option_slot())
    option3_value_id: uuid.UUID | None = Field(default=None, sa_column=_option_slot())
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class RetiredProductSlug(SQLModel, table=True):
    """An address a product had before it was renamed: old links answer 301 to its
    current one. Written by a trigger on `products` (migration 0019), whoever changed the
    slug; the newest owner of a retired slug wins."""

    __tablename__ = "retired_product_slugs"

    slug: str = Field(sa_column=Column(String(160), primary_key=True))
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    retired_at: datetime = created_at_column()


class RetiredCategorySlug(SQLModel, table=True):
    """The same for categories (trigger on `categories`)."""

    __tablename__ = "retired_category_slugs"

    slug: str = Field(sa_column=Column(String(120), primary_key=True))
    category_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("categories.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    retired_at: datetime = created_at_column()
