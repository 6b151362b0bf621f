"""Automatic promotions (backend/merchandising/promotions.py): a percentage or an amount
off whatever a promotion covers, between its dates; and what each order line got.

Revision ID: 0025_promotions
Revises: 0024_shop_time_zone
Create Date: 2026-12-05 21:56:06.661697+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_promotions"
down_revision: str | None = "0024_shop_time_zone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("category_id", sa.UUID(), nullable=True),
        sa.Column("collection_id", sa.UUID(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.CheckConstraint("btrim(title) <> ''", name=op.f("promotions_title_given_check")),
        sa.CheckConstraint(
            "kind IN ('percent', 'fixed')", name=op.f("promotions_kind_known_check")
        ),
        sa.CheckConstraint(
            "target IN ('all', 'category', 'collection')",
            name=op.f("promotions_target_known_check"),
        ),
        sa.CheckConstraint(
            "value > 0 AND (kind <> 'percent' OR value <= 100)",
            name=op.f("promotions_value_in_range_check"),
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
            name=op.f("promotions_dates_check"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("promotions_category_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("promotions_collection_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("promotions_pkey")),
    )
    op.create_index("promotions_ends_at_idx", "promotions", ["ends_at"], unique=False)
    op.add_column("order_lines", sa.Column("list_price", sa.Numeric(10, 2), nullable=True))
    op.add_column("order_lines", sa.Column("promotion_title", sa.String(120), nullable=True))
    op.create_check_constraint(
        op.f("order_lines_promotion_lowers_price_check"),
        "order_lines",
        "list_price IS NULL OR (list_price > unit_price AND promotion_title IS NOT NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("order_lines_promotion_lowers_price_check"), "order_lines", type_="check"
    )
    op.drop_column("order_lines", "promotion_title")
    op.drop_column("order_lines", "list_price")
    op.drop_index("promotions_ends_at_idx", table_name="promotions")
    op.drop_table("promotions")
