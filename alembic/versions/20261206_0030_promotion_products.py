"""Promotions on chosen products: `promotion_products` (a promotion covers all the
variants of each product listed), and the target "products".

Revision ID: 0030_promotion_products
Revises: 0029_multibuys_and_stacking
Create Date: 2026-12-06 03:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_promotion_products"
down_revision: str | None = "0029_multibuys_and_stacking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotion_products",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("promotion_products_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["promotion_id"],
            ["promotions.id"],
            name=op.f("promotion_products_promotion_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("promotion_id", "product_id", name=op.f("promotion_products_pkey")),
    )
    op.create_index(
        "promotion_products_product_id_idx", "promotion_products", ["product_id"], unique=False
    )
    op.drop_constraint(op.f("promotions_target_known_check"), "promotions", type_="check")
    op.create_check_constraint(
        "target_known", "promotions", "target IN ('all', 'category', 'collection', 'products')"
    )


def downgrade() -> None:
    # Without the table, a promotion on chosen products would cover nothing: it goes too.
    op.execute("DELETE FROM promotions WHERE target = 'products'")
    op.drop_constraint(op.f("promotions_target_known_check"), "promotions", type_="check")
    op.create_check_constraint(
        "target_known", "promotions", "target IN ('all', 'category', 'collection')"
    )
    op.drop_index("promotion_products_product_id_idx", table_name="promotion_products")
    op.drop_table("promotion_products")
