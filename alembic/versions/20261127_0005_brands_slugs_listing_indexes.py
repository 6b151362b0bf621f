"""Brands, product slugs (storefront addresses), low-stock thresholds, listing indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 02:13:23.226716+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("brands_pkey")),
        sa.UniqueConstraint("name", name=op.f("brands_name_key")),
        sa.UniqueConstraint("slug", name=op.f("brands_slug_key")),
    )
    # Existing rows: brands from the products' brand names, slugs from name + SKU.
    op.execute(
        "INSERT INTO brands (name, slug) "
        "SELECT DISTINCT brand, trim(both '-' from lower(regexp_replace(brand, '[^a-zA-Z0-9]+', '-', 'g'))) "
        "FROM products WHERE brand IS NOT NULL"
    )
    op.add_column("products", sa.Column("slug", sa.String(length=160), nullable=True))
    op.execute(
        "UPDATE products SET slug = trim(both '-' from lower(regexp_replace("
        "left(name, 120) || '-' || sku, '[^a-zA-Z0-9]+', '-', 'g')))"
    )
    op.alter_column("products", "slug", nullable=False)
    op.add_column(
        "products",
        sa.Column("low_stock_threshold", sa.Integer(), server_default=sa.text("5"), nullable=False),
    )
    op.create_index(
        "products_attributes_idx",
        "products",
        ["attributes"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"attributes": "jsonb_path_ops"},
    )
    op.create_index(
        "products_listing_name_idx",
        "products",
        ["category_id", "name", "id"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "products_listing_newest_idx",
        "products",
        ["category_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "products_listing_price_idx",
        "products",
        ["category_id", "price", "id"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )
    op.create_unique_constraint(op.f("products_slug_key"), "products", ["slug"])
    op.create_foreign_key(
        op.f("products_brand_fkey"),
        "products",
        "brands",
        ["brand"],
        ["name"],
        onupdate="CASCADE",
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("products_brand_fkey"), "products", type_="foreignkey")
    op.drop_constraint(op.f("products_slug_key"), "products", type_="unique")
    op.drop_index(
        "products_listing_price_idx", table_name="products", postgresql_where=sa.text("is_active")
    )
    op.drop_index(
        "products_listing_newest_idx", table_name="products", postgresql_where=sa.text("is_active")
    )
    op.drop_index(
        "products_listing_name_idx", table_name="products", postgresql_where=sa.text("is_active")
    )
    op.drop_index(
        "products_attributes_idx",
        table_name="products",
        postgresql_using="gin",
        postgresql_ops={"attributes": "jsonb_path_ops"},
    )
    op.drop_column("products", "low_stock_threshold")
    op.drop_column("products", "slug")
    op.drop_table("brands")
