"""Abandoned-cart recovery: sent reminders (one open per cart), opted-out addresses, and an
index to find the orders placed from a cart.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 10:25:57.134998+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cart_reminder_opt_outs",
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "email = lower(email)", name=op.f("cart_reminder_opt_outs_email_lowercase_check")
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("cart_reminder_opt_outs_pkey")),
    )
    op.create_table(
        "cart_reminders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("cart_key", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cart_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_cart_key", sa.String(length=100), nullable=True),
        sa.Column("recovered_order_id", sa.UUID(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=20), nullable=True),
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
            "close_reason IN ('ordered', 'emptied')",
            name=op.f("cart_reminders_close_reason_known_check"),
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (close_reason IS NULL)",
            name=op.f("cart_reminders_closed_with_reason_check"),
        ),
        sa.CheckConstraint(
            "(restored_at IS NULL) = (restored_cart_key IS NULL)",
            name=op.f("cart_reminders_restored_with_cart_check"),
        ),
        sa.ForeignKeyConstraint(
            ["recovered_order_id"],
            ["orders.id"],
            name=op.f("cart_reminders_recovered_order_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("cart_reminders_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("cart_reminders_pkey")),
        sa.UniqueConstraint(
            "recovered_order_id", name=op.f("cart_reminders_recovered_order_id_key")
        ),
    )
    op.create_index(
        "cart_reminders_open_cart_key_idx",
        "cart_reminders",
        ["cart_key"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "cart_reminders_restored_cart_key_idx",
        "cart_reminders",
        ["restored_cart_key"],
        unique=False,
        postgresql_where=sa.text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
    )
    op.create_index(
        "cart_reminders_restored_user_id_idx",
        "cart_reminders",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
    )
    op.create_index("cart_reminders_sent_at_idx", "cart_reminders", ["sent_at"], unique=False)
    op.create_index(
        "cart_reminders_email_sent_at_idx",
        "cart_reminders",
        [sa.text("lower(email)"), "sent_at"],
        unique=False,
    )
    op.create_index("orders_cart_key_idx", "orders", ["cart_key", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("orders_cart_key_idx", table_name="orders")
    op.drop_index("cart_reminders_email_sent_at_idx", table_name="cart_reminders")
    op.drop_index("cart_reminders_sent_at_idx", table_name="cart_reminders")
    op.drop_index(
        "cart_reminders_restored_user_id_idx",
        table_name="cart_reminders",
        postgresql_where=sa.text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
    )
    op.drop_index(
        "cart_reminders_restored_cart_key_idx",
        table_name="cart_reminders",
        postgresql_where=sa.text("restored_at IS NOT NULL AND recovered_order_id IS NULL"),
    )
    op.drop_index(
        "cart_reminders_open_cart_key_idx",
        table_name="cart_reminders",
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.drop_table("cart_reminders")
    op.drop_table("cart_reminder_opt_outs")
