"""Order-wide and shipping promotions ("10 % off orders over $100", free shipping over an
amount or to a zone), whether they combine with discount codes, and what each order got.

Revision ID: 0028_order_promotions
Revises: 0027_gift_cards
Create Date: 2026-12-06 01:56:40.784208+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_order_promotions"
down_revision: str | None = "0027_gift_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = (
    ("applies_to_known", "applies_to IN ('items', 'order', 'shipping')"),
    ("order_wide_covers_all", "applies_to = 'items' OR target = 'all'"),
    (
        "items_have_no_minimum",
        "applies_to <> 'items' OR (min_subtotal IS NULL AND zone_id IS NULL)",
    ),
    ("zone_for_shipping", "zone_id IS NULL OR applies_to = 'shipping'"),
    ("min_subtotal", "min_subtotal IS NULL OR min_subtotal >= 0"),
    (
        "limit_per_customer",
        "limit_per_customer IS NULL OR (limit_per_customer > 0 AND applies_to <> 'items')",
    ),
)


def upgrade() -> None:
    op.add_column("orders", sa.Column("order_promotion_id", sa.UUID(), nullable=True))
    op.add_column(
        "orders", sa.Column("order_promotion_title", sa.String(length=120), nullable=True)
    )
    op.add_column(
        "orders",
        sa.Column(
            "order_promotion_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.add_column(
        "orders", sa.Column("shipping_promotion_title", sa.String(length=120), nullable=True)
    )
    op.add_column(
        "promotions",
        sa.Column(
            "applies_to", sa.String(length=10), server_default=sa.text("'items'"), nullable=False
        ),
    )
    op.add_column(
        "promotions", sa.Column("min_subtotal", sa.Numeric(precision=10, scale=2), nullable=True)
    )
    op.add_column("promotions", sa.Column("zone_id", sa.UUID(), nullable=True))
    op.add_column(
        "promotions",
        sa.Column(
            "combines_with_codes", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    op.add_column("orders", sa.Column("shipping_promotion_id", sa.UUID(), nullable=True))
    op.add_column("promotions", sa.Column("limit_per_customer", sa.Integer(), nullable=True))
    for column in ("order_promotion_id", "shipping_promotion_id"):
        op.create_index(
            f"orders_{column.removesuffix('_id')}_idx",
            "orders",
            [column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_foreign_key(
        op.f("promotions_zone_id_fkey"),
        "promotions",
        "shipping_zones",
        ["zone_id"],
        ["id"],
        ondelete="SET NULL",
    )
    for name, condition in CHECKS:
        op.create_check_constraint(name, "promotions", condition)
    op.create_check_constraint(
        "order_promotion_within_discount",
        "orders",
        "order_promotion_amount >= 0 AND order_promotion_amount <= discount",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("orders_order_promotion_within_discount_check"), "orders", type_="check"
    )
    for name, _ in CHECKS:
        op.drop_constraint(op.f(f"promotions_{name}_check"), "promotions", type_="check")
    op.drop_constraint(op.f("promotions_zone_id_fkey"), "promotions", type_="foreignkey")
    op.drop_index("orders_shipping_promotion_idx", table_name="orders")
    op.drop_index("orders_order_promotion_idx", table_name="orders")
    op.drop_column("promotions", "limit_per_customer")
    op.drop_column("orders", "shipping_promotion_id")
    op.drop_column("promotions", "combines_with_codes")
    op.drop_column("promotions", "zone_id")
    op.drop_column("promotions", "min_subtotal")
    op.drop_column("promotions", "applies_to")
    op.drop_column("orders", "shipping_promotion_title")
    op.drop_column("orders", "order_promotion_amount")
    op.drop_column("orders", "order_promotion_title")
    op.drop_column("orders", "order_promotion_id")
