"""Parcels: an order shipped from two stock locations goes as two parcels, each with its
tracking number (`order_parcels`). Orders shipped before keep their one carrier and
tracking number on the order.

Revision ID: 0038_order_parcels
Revises: 0037_stock_locations
Create Date: 2026-12-06 16:45:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0038_order_parcels"
down_revision: str | None = "0037_stock_locations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_parcels",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
        sa.Column(
            "order_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "location_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("stock_locations.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column("location_name", sa.String(80), nullable=False),
        sa.Column("carrier", sa.String(60), nullable=False),
        sa.Column("tracking_number", sa.String(100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(btrim(tracking_number)) > 0",
            name=op.f("order_parcels_tracking_given_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("order_parcels_pkey")),
        sa.UniqueConstraint(
            "order_id", "position", name=op.f("order_parcels_order_id_position_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("order_parcels")
