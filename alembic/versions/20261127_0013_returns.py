"""Self-service returns: return requests, the order lines they cover, and return steps on
the order timeline.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('requested', 'approved', 'rejected', 'received', 'refunded')"
REASONS = (
    "reason IN ('damaged', 'wrong_item', 'not_as_described', 'does_not_fit', "
    "'no_longer_needed', 'other')"
)


def upgrade() -> None:
    op.create_table(
        "return_requests",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'requested'"), nullable=False
        ),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("comment", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("decision_note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("restocked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("refund_amount", sa.Numeric(precision=12, scale=2), nullable=True),
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
        sa.CheckConstraint(STATUSES, name=op.f("return_requests_status_known_check")),
        sa.CheckConstraint(REASONS, name=op.f("return_requests_reason_known_check")),
        sa.CheckConstraint(
            "char_length(comment) <= 1000", name=op.f("return_requests_comment_length_check")
        ),
        sa.CheckConstraint(
            "char_length(decision_note) <= 500",
            name=op.f("return_requests_decision_note_length_check"),
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR decision_note <> ''",
            name=op.f("return_requests_rejection_explained_check"),
        ),
        sa.CheckConstraint(
            "refund_amount IS NULL OR refund_amount > 0",
            name=op.f("return_requests_refund_positive_check"),
        ),
        sa.CheckConstraint(
            "(status = 'refunded') = (refund_amount IS NOT NULL)",
            name=op.f("return_requests_refund_when_refunded_check"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("return_requests_order_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("return_requests_requested_by_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("return_requests_pkey")),
        sa.UniqueConstraint("number", name=op.f("return_requests_number_key")),
        sa.UniqueConstraint("request_key", name=op.f("return_requests_request_key_key")),
    )
    op.create_index("return_requests_order_id_idx", "return_requests", ["order_id"])
    op.create_index("return_requests_status_idx", "return_requests", ["status", "created_at"])
    op.create_table(
        "return_lines",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("return_id", sa.UUID(), nullable=False),
        sa.Column("order_line_id", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("return_lines_quantity_positive_check")),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["return_requests.id"],
            name=op.f("return_lines_return_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("return_lines_order_line_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("return_lines_pkey")),
        sa.UniqueConstraint(
            "return_id", "order_line_id", name=op.f("return_lines_return_id_order_line_id_key")
        ),
    )
    op.create_index("return_lines_order_line_id_idx", "return_lines", ["order_line_id"])
    # Return steps appear on the order's timeline, on an axis of their own.
    op.drop_constraint(
        op.f("order_status_history_axis_known_check"), "order_status_history", type_="check"
    )
    op.create_check_constraint(
        op.f("order_status_history_axis_known_check"),
        "order_status_history",
        "axis IN ('order', 'payment', 'return')",
    )


def downgrade() -> None:
    op.execute("DELETE FROM order_status_history WHERE axis = 'return'")
    op.drop_constraint(
        op.f("order_status_history_axis_known_check"), "order_status_history", type_="check"
    )
    op.create_check_constraint(
        op.f("order_status_history_axis_known_check"),
        "order_status_history",
        "axis IN ('order', 'payment')",
    )
    op.drop_index("return_lines_order_line_id_idx", table_name="return_lines")
    op.drop_table("return_lines")
    op.drop_index("return_requests_status_idx", table_name="return_requests")
    op.drop_index("return_requests_order_id_idx", table_name="return_requests")
    op.drop_table("return_requests")
