"""Gift cards (backend/giftcards/): the cards, the ledger of their balances, and what gift
cards paid of each order.

Revision ID: 0027_gift_cards
Revises: 0026_order_line_promotion_id
Create Date: 2026-12-06 00:35:02.229237+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027_gift_cards"
down_revision: str | None = "0026_order_line_promotion_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gift_cards",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("last_four", sa.String(length=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("initial_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("order_line_id", sa.UUID(), nullable=True),
        sa.Column("recipient_email", sa.String(length=255), nullable=True),
        sa.Column(
            "recipient_name", sa.String(length=120), server_default=sa.text("''"), nullable=False
        ),
        sa.Column(
            "sender_name", sa.String(length=120), server_default=sa.text("''"), nullable=False
        ),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
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
            "source <> 'purchase' OR order_line_id IS NOT NULL",
            name=op.f("gift_cards_purchase_has_line_check"),
        ),
        sa.CheckConstraint(
            "source IN ('purchase', 'staff')", name=op.f("gift_cards_source_known_check")
        ),
        sa.CheckConstraint(
            "(code_hash IS NULL) = (last_four IS NULL)",
            name=op.f("gift_cards_code_hash_with_last_four_check"),
        ),
        sa.CheckConstraint("balance >= 0", name=op.f("gift_cards_balance_not_negative_check")),
        sa.CheckConstraint(
            "initial_amount > 0", name=op.f("gift_cards_initial_amount_positive_check")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("gift_cards_created_by_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("gift_cards_order_line_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("gift_cards_pkey")),
        sa.UniqueConstraint("code_hash", name=op.f("gift_cards_code_hash_key")),
        sa.UniqueConstraint("order_line_id", name=op.f("gift_cards_order_line_id_key")),
    )
    op.create_index(
        "gift_cards_due_idx",
        "gift_cards",
        ["send_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL AND recipient_email IS NOT NULL"),
    )
    op.create_index("gift_cards_last_four_idx", "gift_cards", ["last_four"], unique=False)
    op.create_index(
        "gift_cards_recipient_email_idx",
        "gift_cards",
        [sa.literal_column("lower(recipient_email)")],
        unique=False,
    )
    op.create_table(
        "gift_card_movements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("gift_card_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance_after", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("reference", sa.String(length=160), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "CASE kind WHEN 'adjusted' THEN true WHEN 'redeemed' THEN amount < 0 WHEN 'expired' THEN amount < 0 ELSE amount > 0 END",
            name=op.f("gift_card_movements_amount_sign_check"),
        ),
        sa.CheckConstraint(
            "kind IN ('issued', 'redeemed', 'returned', 'refunded', 'adjusted', 'expired')",
            name=op.f("gift_card_movements_kind_known_check"),
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("gift_card_movements_amount_not_zero_check")),
        sa.CheckConstraint(
            "balance_after >= 0", name=op.f("gift_card_movements_balance_after_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["gift_card_id"],
            ["gift_cards.id"],
            name=op.f("gift_card_movements_gift_card_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("gift_card_movements_pkey")),
        sa.UniqueConstraint(
            "gift_card_id",
            "kind",
            "reference",
            name=op.f("gift_card_movements_gift_card_id_kind_reference_key"),
        ),
    )
    op.create_index(
        "gift_card_movements_card_idx",
        "gift_card_movements",
        ["gift_card_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "gift_card_movements_order_idx",
        "gift_card_movements",
        ["order_id"],
        unique=False,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.add_column(
        "orders",
        sa.Column(
            "gift_card_amount",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.add_column(
        "order_lines",
        sa.Column("gift_card", postgresql.JSONB(), nullable=True),
    )
    op.create_check_constraint(
        "gift_card_alone",
        "order_lines",
        "gift_card IS NULL OR (product_id IS NULL AND variant_id IS NULL AND quantity = 1)",
    )
    op.create_check_constraint(
        "gift_card_within_total", "orders", "gift_card_amount >= 0 AND gift_card_amount <= total"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("order_lines_gift_card_alone_check"), "order_lines", type_="check")
    op.drop_column("order_lines", "gift_card")
    op.drop_constraint(op.f("orders_gift_card_within_total_check"), "orders", type_="check")
    op.drop_column("orders", "gift_card_amount")
    op.drop_index(
        "gift_card_movements_order_idx",
        table_name="gift_card_movements",
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.drop_index("gift_card_movements_card_idx", table_name="gift_card_movements")
    op.drop_table("gift_card_movements")
    op.drop_index("gift_cards_recipient_email_idx", table_name="gift_cards")
    op.drop_index("gift_cards_last_four_idx", table_name="gift_cards")
    op.drop_index(
        "gift_cards_due_idx",
        table_name="gift_cards",
        postgresql_where=sa.text("delivered_at IS NULL AND recipient_email IS NOT NULL"),
    )
    op.drop_table("gift_cards")
