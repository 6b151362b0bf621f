"""Trigram indexes for the staff products table's text search (name or SKU contains).

pg_trgm ships with PostgreSQL and is a trusted extension (the database owner may create
it, also on managed services).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:10:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "products_name_trgm_idx",
        "products",
        ["name"],
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "products_sku_trgm_idx",
        "products",
        ["sku"],
        postgresql_using="gin",
        postgresql_ops={"sku": "gin_trgm_ops"},
    )
    op.create_index("products_updated_at_idx", "products", ["updated_at"])


def downgrade() -> None:
    op.drop_index("products_updated_at_idx", table_name="products")
    op.drop_index("products_sku_trgm_idx", table_name="products")
    op.drop_index("products_name_trgm_idx", table_name="products")
