"""The store settings, in PostgreSQL: legal name, address and VAT number, sender and
support addresses, order-number prefix, unpaid-order timeout, return window and
cart-reminder delay. What the environment configured until now (`MAIL_FROM`,
`ORDER_PAYMENT_TIMEOUT_MINUTES`, `RETURN_WINDOW_DAYS`, `CART_REMINDER_AFTER_MINUTES`) is
read once here, so a running shop behaves the same until the merchant edits them.

Revision ID: 0021_store_settings
Revises: 0020_shipping_and_tax
Create Date: 2026-12-05 16:40:00+00:00
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_store_settings"
down_revision: str | None = "0020_shipping_and_tax"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _legacy_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int((os.environ.get(name) or str(default)).strip())
    except ValueError:
        return default
    return value if low <= value <= high else default


def upgrade() -> None:
    op.create_table(
        "shop_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "legal_name", sa.String(length=200), server_default=sa.text("''"), nullable=False
        ),
        sa.Column("legal_address", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("vat_number", sa.String(length=40), server_default=sa.text("''"), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column(
            "support_email", sa.String(length=255), server_default=sa.text("''"), nullable=False
        ),
        sa.Column(
            "order_number_prefix",
            sa.String(length=6),
            server_default=sa.text("'KG'"),
            nullable=False,
        ),
        sa.Column(
            "order_payment_timeout_minutes",
            sa.Integer(),
            server_default=sa.text("30"),
            nullable=False,
        ),
        sa.Column("return_window_days", sa.Integer(), server_default=sa.text("30"), nullable=False),
        sa.Column(
            "cart_reminder_after_minutes",
            sa.Integer(),
            server_default=sa.text("240"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("shop_settings_single_row_check")),
        sa.CheckConstraint(
            "order_number_prefix ~ '^[A-Z0-9]{1,6}$'", name=op.f("shop_settings_prefix_form_check")
        ),
        sa.CheckConstraint(
            "order_payment_timeout_minutes BETWEEN 1 AND 10080",
            name=op.f("shop_settings_payment_timeout_range_check"),
        ),
        sa.CheckConstraint(
            "return_window_days BETWEEN 0 AND 365",
            name=op.f("shop_settings_return_window_range_check"),
        ),
        sa.CheckConstraint(
            "cart_reminder_after_minutes BETWEEN 1 AND 43200",
            name=op.f("shop_settings_reminder_delay_range_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shop_settings_pkey")),
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO shop_settings (id, sender, order_payment_timeout_minutes, "
            "return_window_days, cart_reminder_after_minutes) "
            "VALUES (1, :sender, :timeout, :window, :reminder)"
        ),
        {
            "sender": (os.environ.get("MAIL_FROM") or "Kestrel Goods <shop@localhost>")[:320],
            "timeout": _legacy_int("ORDER_PAYMENT_TIMEOUT_MINUTES", 30, 1, 10080),
            "window": _legacy_int("RETURN_WINDOW_DAYS", 30, 0, 365),
            "reminder": _legacy_int("CART_REMINDER_AFTER_MINUTES", 240, 1, 43200),
        },
    )


def downgrade() -> None:
    op.drop_table("shop_settings")
