"""The shop's name and how amounts are written become store settings. `SHOP_NAME` is read
once here, so a running shop keeps its name until the merchant edits it.

Revision ID: 0022_shop_name_and_money_format
Revises: 0021_store_settings
Create Date: 2026-12-05 18:50:00+00:00
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_shop_name_and_money_format"
down_revision: str | None = "0021_store_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "shop_settings",
        sa.Column(
            "shop_name",
            sa.String(length=60),
            server_default=sa.text("'Kestrel Goods'"),
            nullable=False,
        ),
    )
    op.add_column(
        "shop_settings",
        sa.Column(
            "money_locale", sa.String(length=10), server_default=sa.text("'en_US'"), nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("shop_settings_shop_name_given_check"), "shop_settings", "btrim(shop_name) <> ''"
    )
    op.create_check_constraint(
        op.f("shop_settings_money_locale_form_check"),
        "shop_settings",
        "money_locale ~ '^[a-z]{2}_[A-Z]{2}$'",
    )
    legacy_name = " ".join((os.environ.get("SHOP_NAME") or "").split())[:60]
    if legacy_name:
        op.get_bind().execute(
            sa.text("UPDATE shop_settings SET shop_name = :name"), {"name": legacy_name}
        )


def downgrade() -> None:
    op.drop_constraint(
        op.f("shop_settings_money_locale_form_check"), "shop_settings", type_="check"
    )
    op.drop_constraint(op.f("shop_settings_shop_name_given_check"), "shop_settings", type_="check")
    op.drop_column("shop_settings", "money_locale")
    op.drop_column("shop_settings", "shop_name")
