"""Order lines name the promotion they were sold under by id too, for each promotion's
figures in Analytics (no foreign key: a deleted promotion's orders keep their lines).

Revision ID: 0026_order_line_promotion_id
Revises: 0025_promotions
Create Date: 2026-12-05 22:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_order_line_promotion_id"
down_revision: str | None = "0025_promotions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("promotion_id", sa.UUID(), nullable=True))
    op.create_index(
        "order_lines_promotion_id_idx",
        "order_lines",
        ["promotion_id"],
        unique=False,
        postgresql_where=sa.text("promotion_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("order_lines_promotion_id_idx", table_name="order_lines")
    op.drop_column("order_lines", "promotion_id")
