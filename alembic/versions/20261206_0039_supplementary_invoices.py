"""Supplementary invoices: when an edit raised a paid order's total and the customer paid
the difference, the difference is invoiced by an invoice that names the order's invoice
(`corrects`) and what it is for (`reference`), as a credit note does. The order keeps one
main invoice.

Revision ID: 0039_supplementary_invoices
Revises: 0038_order_parcels
Create Date: 2026-12-06 16:55:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039_supplementary_invoices"
down_revision: str | None = "0038_order_parcels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_main_invoice(where: str) -> None:
    op.drop_index("documents_one_invoice_per_order", table_name="documents")
    op.create_index(
        "documents_one_invoice_per_order",
        "documents",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.drop_constraint(op.f("documents_credit_note_refers_check"), "documents", type_="check")
    op.create_check_constraint(
        op.f("documents_corrects_refers_check"),
        "documents",
        "(corrects IS NULL) = (reference IS NULL)",
    )
    op.create_check_constraint(
        op.f("documents_credit_note_corrects_check"),
        "documents",
        "kind = 'invoice' OR corrects IS NOT NULL",
    )
    _one_main_invoice("kind = 'invoice' AND corrects IS NULL")


def downgrade() -> None:
    # Supplementary invoices cannot be kept under the old rule (one invoice per order).
    op.execute("DELETE FROM documents WHERE kind = 'invoice' AND corrects IS NOT NULL")
    _one_main_invoice("kind = 'invoice'")
    op.drop_constraint(op.f("documents_credit_note_corrects_check"), "documents", type_="check")
    op.drop_constraint(op.f("documents_corrects_refers_check"), "documents", type_="check")
    op.create_check_constraint(
        op.f("documents_credit_note_refers_check"),
        "documents",
        "(kind = 'credit_note') = (reference IS NOT NULL AND corrects IS NOT NULL)",
    )
