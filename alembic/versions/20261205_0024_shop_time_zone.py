"""The shop's time zone (Admin → Settings): merchants type and read times in it (a
collection's dates; promotions' next). Existing shops start on UTC, as they were.

Revision ID: 0024_shop_time_zone
Revises: 0023_collections
Create Date: 2026-12-05 21:49:46+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_shop_time_zone"
down_revision: str | None = "0023_collections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "shop_settings",
        sa.Column(
            "time_zone", sa.String(length=60), server_default=sa.text("'UTC'"), nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("shop_settings_time_zone_form_check"),
        "shop_settings",
        "time_zone ~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$'",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("shop_settings_time_zone_form_check"), "shop_settings", type_="check")
    op.drop_column("shop_settings", "time_zone")
