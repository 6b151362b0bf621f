"""Exchanges in returns: a returned line may ask for another variant instead of money
(`return_lines.exchange_variant_id`, its stock held from the request), the order that
sends it (`return_requests.exchange_order_id`, placed when staff approve), and the final
status `exchanged` (the parcel is back and nothing is left to refund).

Revision ID: 0036_return_exchanges
Revises: 0035_order_amount_paid
Create Date: 2026-12-06 16:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0036_return_exchanges"
down_revision: str | None = "0035_order_amount_paid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("requested", "approved", "rejected", "received", "refunded")


def _statuses(statuses: Sequence[str]) -> None:
    op.drop_constraint(op.f("return_requests_status_known_check"), "return_requests", type_="check")
    op.create_check_constraint(
        op.f("return_requests_status_known_check"),
        "return_requests",
        f"status IN ({', '.join(repr(s) for s in statuses)})",
    )


def upgrade() -> None:
    op.add_column(
        "return_lines",
        sa.Column(
            "exchange_variant_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("product_variants.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.add_column(
        "return_requests",
        sa.Column(
            "exchange_order_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("orders.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index(
        "return_requests_exchange_order_id_idx",
        "return_requests",
        ["exchange_order_id"],
        unique=True,
        postgresql_where=sa.text("exchange_order_id IS NOT NULL"),
    )
    _statuses((*STATUSES, "exchanged"))


def downgrade() -> None:
    # An exchanged return's parcel is back: it reads as received again.
    op.execute("UPDATE return_requests SET status = 'received' WHERE status = 'exchanged'")
    _statuses(STATUSES)
    op.drop_index("return_requests_exchange_order_id_idx", table_name="return_requests")
    op.drop_column("return_requests", "exchange_order_id")
    op.drop_column("return_lines", "exchange_variant_id")
