"""The money received for an order, so an edit can change a paid order's total:
`orders.amount_paid` (gift cards, card and hand payments, less what an edit gave back),
the payment status `partially_paid` (an edit raised a paid order's total and the
difference is owed), an `edit` axis on the order's timeline, and refunds bounded by what
came in when that is more than the total (an edit lowered it and the difference is not
back yet).

Existing orders: those whose payment went through (paid, partially or wholly refunded)
received their total; the others what gift cards paid, if anything. (Before this, a total
never changed after payment; after a downgrade, what edits gave back is forgotten and an
upgrade again counts the total as received, never more.)

Revision ID: 0035_order_amount_paid
Revises: 0034_draft_orders
Create Date: 2026-12-06 14:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035_order_amount_paid"
down_revision: str | None = "0034_draft_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYMENT_STATUSES = (
    "unpaid",
    "requires_action",
    "processing",
    "paid",
    "partially_refunded",
    "refunded",
    "failed",
)


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _payment_statuses(statuses: Sequence[str]) -> None:
    op.drop_constraint(op.f("orders_payment_status_known_check"), "orders", type_="check")
    op.create_check_constraint(
        op.f("orders_payment_status_known_check"), "orders", _one_of("payment_status", statuses)
    )


def _axes(axes: Sequence[str]) -> None:
    op.drop_constraint(
        op.f("order_status_history_axis_known_check"), "order_status_history", type_="check"
    )
    op.create_check_constraint(
        op.f("order_status_history_axis_known_check"),
        "order_status_history",
        _one_of("axis", axes),
    )


def _refund_bound(most: str) -> None:
    op.drop_constraint(op.f("orders_refund_bounded_check"), "orders", type_="check")
    op.create_check_constraint(
        op.f("orders_refund_bounded_check"),
        "orders",
        f"refunded_amount >= 0 AND refunded_amount <= {most}",
    )


def upgrade() -> None:
    op.add_column(
        "orders",
        sa.Column(
            "amount_paid",
            sa.Numeric(precision=12, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.execute(
        "UPDATE orders SET amount_paid = CASE"
        " WHEN payment_status IN ('paid', 'partially_refunded', 'refunded') THEN total"
        " ELSE gift_card_amount END"
    )
    op.create_check_constraint(
        op.f("orders_amount_paid_not_negative_check"), "orders", "amount_paid >= 0"
    )
    _refund_bound("GREATEST(total, amount_paid)")
    _payment_statuses((*PAYMENT_STATUSES[:4], "partially_paid", *PAYMENT_STATUSES[4:]))
    _axes(("order", "payment", "return", "edit"))


def downgrade() -> None:
    # An order an edit left partly paid goes back to paid; its edit steps leave the
    # timeline (what was edited stays on the lines and totals).
    op.execute("UPDATE orders SET payment_status = 'paid' WHERE payment_status = 'partially_paid'")
    op.execute("DELETE FROM order_status_history WHERE axis = 'edit'")
    _axes(("order", "payment", "return"))
    _payment_statuses(PAYMENT_STATUSES)
    _refund_bound("total")
    op.drop_constraint(op.f("orders_amount_paid_not_negative_check"), "orders", type_="check")
    op.drop_column("orders", "amount_paid")
