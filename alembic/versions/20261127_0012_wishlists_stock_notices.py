"""Wishlists (one per shopper, saved products, a revocable share token) and back-in-stock
subscriptions (unique among open ones per product and e-mail).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 10:25:07.581965+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wishlists",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("wishlists_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("wishlists_pkey")),
        sa.UniqueConstraint("share_token", name=op.f("wishlists_share_token_key")),
        sa.UniqueConstraint("user_id", name=op.f("wishlists_user_id_key")),
    )
    op.create_table(
        "stock_notice_subscriptions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_token_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status = 'pending' OR confirmed_at IS NOT NULL OR status = 'cancelled'",
            name=op.f("stock_notice_subscriptions_confirmed_when_active_check"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active') OR closed_at IS NOT NULL",
            name=op.f("stock_notice_subscriptions_closed_when_closed_check"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'notified', 'cancelled')",
            name=op.f("stock_notice_subscriptions_status_valid_check"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("stock_notice_subscriptions_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("stock_notice_subscriptions_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_notice_subscriptions_pkey")),
        sa.UniqueConstraint(
            "cancel_token_hash", name=op.f("stock_notice_subscriptions_cancel_token_hash_key")
        ),
        sa.UniqueConstraint(
            "confirm_token_hash", name=op.f("stock_notice_subscriptions_confirm_token_hash_key")
        ),
    )
    op.create_index(
        "stock_notice_subscriptions_active_product_idx",
        "stock_notice_subscriptions",
        ["product_id"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "stock_notice_subscriptions_open_product_email_idx",
        "stock_notice_subscriptions",
        ["product_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'active')"),
    )
    op.create_index(
        "stock_notice_subscriptions_user_id_idx",
        "stock_notice_subscriptions",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "wishlist_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("wishlist_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("wishlist_items_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wishlist_id"],
            ["wishlists.id"],
            name=op.f("wishlist_items_wishlist_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("wishlist_items_pkey")),
        sa.UniqueConstraint(
            "wishlist_id", "product_id", name=op.f("wishlist_items_wishlist_id_product_id_key")
        ),
    )
    op.create_index("wishlist_items_product_id_idx", "wishlist_items", ["product_id"], unique=False)


def downgrade() -> None:
    op.drop_index("wishlist_items_product_id_idx", table_name="wishlist_items")
    op.drop_table("wishlist_items")
    op.drop_index("stock_notice_subscriptions_user_id_idx", table_name="stock_notice_subscriptions")
    op.drop_index(
        "stock_notice_subscriptions_open_product_email_idx",
        table_name="stock_notice_subscriptions",
        postgresql_where=sa.text("status IN ('pending', 'active')"),
    )
    op.drop_index(
        "stock_notice_subscriptions_active_product_idx",
        table_name="stock_notice_subscriptions",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_table("stock_notice_subscriptions")
    op.drop_table("wishlists")
