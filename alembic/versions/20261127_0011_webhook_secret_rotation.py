"""Webhook secret rotation: the previous secret keeps signing until it expires.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("webhook_endpoints", sa.Column("previous_secret", sa.String(length=100)))
    op.add_column(
        "webhook_endpoints",
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True)),
    )
    op.create_check_constraint(
        op.f("webhook_endpoints_previous_secret_has_expiry_check"),
        "webhook_endpoints",
        "(previous_secret IS NULL) = (previous_secret_expires_at IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("webhook_endpoints_previous_secret_has_expiry_check"),
        "webhook_endpoints",
        type_="check",
    )
    op.drop_column("webhook_endpoints", "previous_secret_expires_at")
    op.drop_column("webhook_endpoints", "previous_secret")
