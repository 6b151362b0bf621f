"""Multi-buy promotions ("buy 2, get the cheapest free", "3 for $50"), promotions that add
up ("stacks"), what a multi-buy took off each order line, and every promotion an order
got with its amount (`order_promotions`, filled for past orders from their lines and
order-wide promotions; what past shipping promotions saved was not kept: 0).

Revision ID: 0029_multibuys_and_stacking
Revises: 0028_order_promotions
Create Date: 2026-12-06 03:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_multibuys_and_stacking"
down_revision: str | None = "0028_order_promotions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, before, after): the promotions' CHECKs this revision widens.
CHANGED = (
    ("kind_known", "kind IN ('percent', 'fixed')", "kind IN ('percent', 'fixed', 'bundle')"),
    (
        "applies_to_known",
        "applies_to IN ('items', 'order', 'shipping')",
        "applies_to IN ('items', 'multibuy', 'order', 'shipping')",
    ),
    (
        "order_wide_covers_all",
        "applies_to = 'items' OR target = 'all'",
        "applies_to IN ('items', 'multibuy') OR target = 'all'",
    ),
    (
        "items_have_no_minimum",
        "applies_to <> 'items' OR (min_subtotal IS NULL AND zone_id IS NULL)",
        "applies_to IN ('order', 'shipping') OR (min_subtotal IS NULL AND zone_id IS NULL)",
    ),
    (
        "limit_per_customer",
        "limit_per_customer IS NULL OR (limit_per_customer > 0 AND applies_to <> 'items')",
        "limit_per_customer IS NULL OR "
        "(limit_per_customer > 0 AND applies_to IN ('order', 'shipping'))",
    ),
)
ADDED = (
    ("bundle_is_multibuy", "kind <> 'bundle' OR applies_to = 'multibuy'"),
    (
        "multibuy_group",
        "(applies_to = 'multibuy') = (buy_quantity IS NOT NULL)"
        " AND (buy_quantity IS NULL OR buy_quantity BETWEEN 2 AND 100)",
    ),
    (
        "multibuy_discounted_quantity",
        "(applies_to = 'multibuy' AND kind = 'percent') = (discounted_quantity IS NOT NULL)"
        " AND (discounted_quantity IS NULL OR discounted_quantity BETWEEN 1 AND buy_quantity)",
    ),
    ("stacks_on_items", "NOT stacks OR applies_to IN ('items', 'multibuy')"),
)

BACKFILL = """
INSERT INTO order_promotions (order_id, promotion_id, title, applies_to, amount)
SELECT order_id, promotion_id, max(promotion_title), 'items',
       sum((list_price - unit_price) * quantity)
  FROM order_lines
 WHERE promotion_id IS NOT NULL AND list_price IS NOT NULL
 GROUP BY order_id, promotion_id;
INSERT INTO order_promotions (order_id, promotion_id, title, applies_to, amount)
SELECT id, order_promotion_id, order_promotion_title, 'order',
       order_promotion_amount
  FROM orders WHERE order_promotion_id IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO order_promotions (order_id, promotion_id, title, applies_to, amount)
SELECT id, shipping_promotion_id, shipping_promotion_title, 'shipping', 0
  FROM orders WHERE shipping_promotion_id IS NOT NULL
ON CONFLICT DO NOTHING;
"""


def upgrade() -> None:
    op.add_column("promotions", sa.Column("buy_quantity", sa.Integer(), nullable=True))
    op.add_column("promotions", sa.Column("discounted_quantity", sa.Integer(), nullable=True))
    op.add_column(
        "promotions",
        sa.Column("stacks", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    for name, _, after in CHANGED:
        op.drop_constraint(op.f(f"promotions_{name}_check"), "promotions", type_="check")
        op.create_check_constraint(name, "promotions", after)
    for name, condition in ADDED:
        op.create_check_constraint(name, "promotions", condition)
    op.add_column(
        "order_lines",
        sa.Column(
            "multibuy_discount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.add_column("order_lines", sa.Column("multibuy_title", sa.String(length=120), nullable=True))
    op.add_column(
        "orders",
        sa.Column(
            "multibuy_discount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.create_check_constraint(
        "multibuy_within_discount",
        "orders",
        "multibuy_discount >= 0 AND multibuy_discount + order_promotion_amount <= discount",
    )
    op.add_column("order_lines", sa.Column("multibuy_id", sa.UUID(), nullable=True))
    op.create_check_constraint(
        "multibuy_within_line",
        "order_lines",
        "multibuy_discount >= 0 AND multibuy_discount <= line_total"
        " AND (multibuy_discount = 0 OR multibuy_title IS NOT NULL)",
    )
    op.create_table(
        "order_promotions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("applies_to", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint(
            "applies_to IN ('items', 'multibuy', 'order', 'shipping')",
            name=op.f("order_promotions_applies_to_known_check"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("order_promotions_amount_not_negative_check")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("order_promotions_order_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("order_promotions_pkey")),
        sa.UniqueConstraint("order_id", "promotion_id", name="order_promotions_once"),
    )
    op.create_index(
        "order_promotions_promotion_id_idx", "order_promotions", ["promotion_id"], unique=False
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("order_promotions_promotion_id_idx", table_name="order_promotions")
    op.drop_table("order_promotions")
    op.drop_constraint(op.f("order_lines_multibuy_within_line_check"), "order_lines", type_="check")
    op.drop_constraint(op.f("orders_multibuy_within_discount_check"), "orders", type_="check")
    op.drop_column("orders", "multibuy_discount")
    op.drop_column("order_lines", "multibuy_id")
    op.drop_column("order_lines", "multibuy_title")
    op.drop_column("order_lines", "multibuy_discount")
    # The earlier rules know neither multi-buys nor promotions that add up.
    op.execute("DELETE FROM promotions WHERE applies_to = 'multibuy'")
    for name, _ in ADDED:
        op.drop_constraint(op.f(f"promotions_{name}_check"), "promotions", type_="check")
    for name, before, _ in CHANGED:
        op.drop_constraint(op.f(f"promotions_{name}_check"), "promotions", type_="check")
        op.create_check_constraint(name, "promotions", before)
    op.drop_column("promotions", "stacks")
    op.drop_column("promotions", "discounted_quantity")
    op.drop_column("promotions", "buy_quantity")
