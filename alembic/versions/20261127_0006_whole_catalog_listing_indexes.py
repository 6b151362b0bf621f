"""Listing indexes over the whole catalog, so deep pages without a category stay fast.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 03:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "products_catalog_price_idx": ["price", "id"],
    "products_catalog_name_idx": ["name", "id"],
    "products_catalog_newest_idx": ["created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(
            name, "products", columns, unique=False, postgresql_where=sa.text("is_active")
        )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="products", postgresql_where=sa.text("is_active"))
