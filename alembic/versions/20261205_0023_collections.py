"""Collections (backend/merchandising): manual ones hold hand-picked products in the
merchant's order; rule-based ones keep their rules and are evaluated when read.

Revision ID: 0023_collections
Revises: 0022_shop_name_and_money_format
Create Date: 2026-12-05 21:25:04.320811+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023_collections"
down_revision: str | None = "0022_shop_name_and_money_format"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column(
            "rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("match", sa.String(length=3), server_default=sa.text("'all'"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("home_position", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint("btrim(title) <> ''", name=op.f("collections_title_given_check")),
        sa.CheckConstraint(
            "jsonb_typeof(rules) = 'array'", name=op.f("collections_rules_list_check")
        ),
        sa.CheckConstraint(
            "kind IN ('manual', 'rules')", name=op.f("collections_kind_known_check")
        ),
        sa.CheckConstraint("match IN ('all', 'any')", name=op.f("collections_match_known_check")),
        sa.CheckConstraint(
            "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("collections_slug_form_check")
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
            name=op.f("collections_dates_check"),
        ),
        sa.CheckConstraint(
            "home_position IS NULL OR home_position >= 0",
            name=op.f("collections_home_position_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("collections_pkey")),
        sa.UniqueConstraint("slug", name=op.f("collections_slug_key")),
    )
    op.create_index("collections_home_position_idx", "collections", ["home_position"], unique=False)
    op.create_table(
        "collection_products",
        sa.Column("collection_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "position >= 0", name=op.f("collection_products_position_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("collection_products_collection_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("collection_products_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "product_id", name=op.f("collection_products_pkey")
        ),
    )
    op.create_index(
        "collection_products_product_id_idx", "collection_products", ["product_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("collection_products_product_id_idx", table_name="collection_products")
    op.drop_table("collection_products")
    op.drop_index("collections_home_position_idx", table_name="collections")
    op.drop_table("collections")
