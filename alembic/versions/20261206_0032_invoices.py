"""Invoices and credit notes: `documents` (snapshots, one invoice per order, one credit
note per refund) and `document_counters` (gap-free numbers per series and year).

Revision ID: 0032_invoices
Revises: 0031_customer_notes_and_tags
Create Date: 2026-12-06 04:05:07.741470+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0032_invoices"
down_revision: str | None = "0031_customer_notes_and_tags"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("series", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "series IN ('invoice', 'credit_note')",
            name=op.f("document_counters_series_known_check"),
        ),
        sa.CheckConstraint(
            "last_number > 0", name=op.f("document_counters_last_number_positive_check")
        ),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("document_counters_pkey")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("order_number", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("corrects", sa.String(length=30), nullable=True),
        sa.Column(
            "issued_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("seller", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("buyer", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tax_lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("discount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("shipping", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (reference IS NOT NULL AND corrects IS NOT NULL)",
            name=op.f("documents_credit_note_refers_check"),
        ),
        sa.CheckConstraint(
            "kind IN ('invoice', 'credit_note')", name=op.f("documents_kind_known_check")
        ),
        sa.CheckConstraint("sequence > 0", name=op.f("documents_sequence_positive_check")),
        sa.CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0",
            name=op.f("documents_amounts_not_negative_check"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("documents_order_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("documents_pkey")),
        sa.UniqueConstraint("kind", "year", "sequence", name="documents_numbered_once"),
        sa.UniqueConstraint("number", name="documents_number_key"),
        sa.UniqueConstraint("reference", name="documents_reference_key"),
    )
    op.create_index(
        "documents_one_invoice_per_order",
        "documents",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    op.create_index("documents_order_id_idx", "documents", ["order_id", "issued_at"], unique=False)


def downgrade() -> None:
    op.drop_index("documents_order_id_idx", table_name="documents")
    op.drop_index(
        "documents_one_invoice_per_order",
        table_name="documents",
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    op.drop_table("documents")
    op.drop_table("document_counters")
