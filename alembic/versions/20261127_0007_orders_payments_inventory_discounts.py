"""Orders (line snapshots, status history), payment transactions and webhook events,
the stock ledger, discount codes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:55:07.508205+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discount_codes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column(
            "min_subtotal",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.CheckConstraint(
            "kind IN ('percent', 'fixed')", name=op.f("discount_codes_kind_known_check")
        ),
        sa.CheckConstraint(
            "value > 0 AND (kind = 'fixed' OR value <= 100)",
            name=op.f("discount_codes_value_in_range_check"),
        ),
        sa.CheckConstraint(
            "min_subtotal >= 0", name=op.f("discount_codes_min_subtotal_not_negative_check")
        ),
        sa.CheckConstraint(
            "times_used >= 0", name=op.f("discount_codes_times_used_not_negative_check")
        ),
        sa.CheckConstraint(
            "usage_limit IS NULL OR times_used <= usage_limit",
            name=op.f("discount_codes_usage_within_limit_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("discount_codes_pkey")),
    )
    op.create_index(
        "discount_codes_code_idx", "discount_codes", [sa.literal_column("upper(code)")], unique=True
    )
    op.create_table(
        "payment_webhook_events",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("payment_webhook_events_pkey")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("checkout_key", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("shipping_address", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("shipping_method", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "shipping",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "tax", sa.Numeric(precision=12, scale=2), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "refunded_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("discount_code", sa.String(length=40), nullable=True),
        sa.Column(
            "status",
            sa.String(length=20),
            server_default=sa.text("'pending_payment'"),
            nullable=False,
        ),
        sa.Column(
            "payment_status",
            sa.String(length=20),
            server_default=sa.text("'unpaid'"),
            nullable=False,
        ),
        sa.Column("cart_key", sa.String(length=100), nullable=True),
        sa.Column("carrier", sa.String(length=60), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
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
            "payment_status IN ('unpaid', 'requires_action', 'processing', 'paid', 'partially_refunded', 'refunded', 'failed')",
            name=op.f("orders_payment_status_known_check"),
        ),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'paid', 'fulfilled', 'delivered', 'cancelled')",
            name=op.f("orders_status_known_check"),
        ),
        sa.CheckConstraint(
            "discount <= subtotal", name=op.f("orders_discount_within_subtotal_check")
        ),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total",
            name=op.f("orders_refund_bounded_check"),
        ),
        sa.CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0",
            name=op.f("orders_amounts_not_negative_check"),
        ),
        sa.CheckConstraint(
            "total = subtotal - discount + shipping + tax", name=op.f("orders_total_adds_up_check")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("orders_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("orders_pkey")),
        sa.UniqueConstraint("checkout_key", name=op.f("orders_checkout_key_key")),
        sa.UniqueConstraint("number", name=op.f("orders_number_key")),
    )
    op.create_index("orders_created_at_idx", "orders", ["created_at"], unique=False)
    op.create_index("orders_email_idx", "orders", [sa.literal_column("lower(email)")], unique=False)
    op.create_index(
        "orders_expiry_idx",
        "orders",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending_payment'"),
    )
    op.create_index("orders_user_id_idx", "orders", ["user_id", "created_at"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=True),
        sa.Column("sku", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("line_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "line_total = unit_price * quantity", name=op.f("order_lines_line_total_adds_up_check")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("order_lines_quantity_positive_check")),
        sa.CheckConstraint(
            "unit_price >= 0", name=op.f("order_lines_unit_price_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("order_lines_order_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("order_lines_product_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("order_lines_pkey")),
    )
    op.create_index("order_lines_order_id_idx", "order_lines", ["order_id"], unique=False)
    op.create_index("order_lines_product_id_idx", "order_lines", ["product_id"], unique=False)
    op.create_table(
        "order_status_history",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("axis", sa.String(length=10), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "axis IN ('order', 'payment')", name=op.f("order_status_history_axis_known_check")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("order_status_history_order_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("order_status_history_pkey")),
    )
    op.create_index(
        "order_status_history_order_id_idx",
        "order_status_history",
        ["order_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "payment_transactions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("failure_code", sa.String(length=60), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("client_secret", sa.String(length=200), nullable=True),
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
            "kind IN ('payment', 'refund')", name=op.f("payment_transactions_kind_known_check")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'requires_action', 'processing', 'succeeded', 'failed')",
            name=op.f("payment_transactions_status_known_check"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("payment_transactions_amount_positive_check")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("payment_transactions_order_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["payment_transactions.id"],
            name=op.f("payment_transactions_parent_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payment_transactions_pkey")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("payment_transactions_idempotency_key_key")
        ),
    )
    op.create_index(
        "payment_transactions_order_id_idx",
        "payment_transactions",
        ["order_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "payment_transactions_reference_idx",
        "payment_transactions",
        ["gateway", "reference"],
        unique=False,
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.Column("quantity_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint("change <> 0", name=op.f("stock_movements_change_not_zero_check")),
        sa.CheckConstraint(
            "quantity_after >= 0", name=op.f("stock_movements_quantity_after_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("stock_movements_actor_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("stock_movements_order_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("stock_movements_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_movements_pkey")),
    )
    op.create_index("stock_movements_order_id_idx", "stock_movements", ["order_id"], unique=False)
    op.create_index(
        "stock_movements_product_id_idx",
        "stock_movements",
        ["product_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("stock_movements_product_id_idx", table_name="stock_movements")
    op.drop_index("stock_movements_order_id_idx", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("payment_transactions_reference_idx", table_name="payment_transactions")
    op.drop_index("payment_transactions_order_id_idx", table_name="payment_transactions")
    op.drop_table("payment_transactions")
    op.drop_index("order_status_history_order_id_idx", table_name="order_status_history")
    op.drop_table("order_status_history")
    op.drop_index("order_lines_product_id_idx", table_name="order_lines")
    op.drop_index("order_lines_order_id_idx", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index("orders_user_id_idx", table_name="orders")
    op.drop_index(
        "orders_expiry_idx",
        table_name="orders",
        postgresql_where=sa.text("status = 'pending_payment'"),
    )
    op.drop_index("orders_email_idx", table_name="orders")
    op.drop_index("orders_created_at_idx", table_name="orders")
    op.drop_table("orders")
    op.drop_table("payment_webhook_events")
    op.drop_index("discount_codes_code_idx", table_name="discount_codes")
    op.drop_table("discount_codes")
