"""Draft orders and payment links: `draft_orders` and `draft_order_lines` (orders staff
build for a customer, completed once into an order), `payment_links` (hashed tokens that
let a customer open and pay an order staff took), and a thirteenth staff permission,
`orders.edit`, which the Administrators group gets (it has every permission).

Revision ID: 0034_draft_orders
Revises: 0033_staff_groups
Create Date: 2026-12-06 09:24:11.289001+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0034_draft_orders"
down_revision: str | None = "0033_staff_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_orders",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("number", sa.Integer(), sa.Identity(always=False, start=1001), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=255), server_default="", nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "manual_discount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("discount_reason", sa.String(length=80), server_default="", nullable=False),
        sa.Column("shipping_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.CheckConstraint(
            "(status = 'completed') = (order_id IS NOT NULL)",
            name=op.f("draft_orders_order_when_completed_check"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'completed', 'expired')",
            name=op.f("draft_orders_status_known_check"),
        ),
        sa.CheckConstraint(
            "manual_discount = 0 OR length(btrim(discount_reason)) > 0",
            name=op.f("draft_orders_discount_has_reason_check"),
        ),
        sa.CheckConstraint(
            "manual_discount >= 0", name=op.f("draft_orders_discount_not_negative_check")
        ),
        sa.CheckConstraint(
            "shipping_price IS NULL OR shipping_price >= 0",
            name=op.f("draft_orders_shipping_price_not_negative_check"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("draft_orders_created_by_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("draft_orders_order_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("draft_orders_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("draft_orders_pkey")),
        sa.UniqueConstraint("number", name=op.f("draft_orders_number_key")),
        sa.UniqueConstraint("order_id", name=op.f("draft_orders_order_id_key")),
    )
    op.create_index(
        "draft_orders_open_idx",
        "draft_orders",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "payment_links",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("payment_links_expires_after_creation_check")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("payment_links_order_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payment_links_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("payment_links_token_hash_key")),
    )
    op.create_index("payment_links_order_id_idx", "payment_links", ["order_id"], unique=False)
    op.create_table(
        "draft_order_lines",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("draft_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.UUID(), nullable=True),
        sa.Column("custom_name", sa.String(length=120), nullable=True),
        sa.Column("custom_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(variant_id IS NOT NULL AND custom_name IS NULL AND custom_price IS NULL) OR (variant_id IS NULL AND length(btrim(custom_name)) > 0 AND custom_price >= 0)",
            name=op.f("draft_order_lines_variant_or_custom_check"),
        ),
        sa.CheckConstraint(
            "quantity BETWEEN 1 AND 999", name=op.f("draft_order_lines_quantity_in_range_check")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["draft_orders.id"],
            name=op.f("draft_order_lines_draft_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("draft_order_lines_variant_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("draft_order_lines_pkey")),
        sa.UniqueConstraint("draft_id", "variant_id", name="draft_order_lines_one_per_variant"),
    )
    op.create_index(
        "draft_order_lines_draft_id_idx",
        "draft_order_lines",
        ["draft_id", "position"],
        unique=False,
    )
    # In the order of `Permission`, as the model's CHECK lists them.
    at = KNOWN.index("orders.refund") + 1
    _known_permissions([*KNOWN[:at], "orders.edit", *KNOWN[at:]])
    op.execute(
        "UPDATE staff_groups SET permissions = array_append(permissions, 'orders.edit')"
        " WHERE key = 'administrators' AND NOT 'orders.edit' = ANY(permissions)"
    )


KNOWN = [
    "catalog",
    "inventory",
    "orders.view",
    "orders.fulfil",
    "orders.refund",
    "customers",
    "promotions",
    "reviews",
    "settings",
    "staff",
    "webhooks",
    "analytics",
]


def _known_permissions(known: list[str]) -> None:
    listed = ", ".join(f"'{permission}'" for permission in known)
    op.drop_constraint(op.f("staff_groups_permissions_known_check"), "staff_groups", type_="check")
    op.create_check_constraint(
        op.f("staff_groups_permissions_known_check"),
        "staff_groups",
        f"permissions <@ ARRAY[{listed}]::varchar[]",
    )


def downgrade() -> None:
    op.execute("UPDATE staff_groups SET permissions = array_remove(permissions, 'orders.edit')")
    _known_permissions(KNOWN)
    op.drop_index("draft_order_lines_draft_id_idx", table_name="draft_order_lines")
    op.drop_table("draft_order_lines")
    op.drop_index("payment_links_order_id_idx", table_name="payment_links")
    op.drop_table("payment_links")
    op.drop_index(
        "draft_orders_open_idx",
        table_name="draft_orders",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_table("draft_orders")
