"""Each outbox event keeps the W3C trace context of the work that recorded it
(`{"traceparent": …, "tracestate": …}`), so the relay and the worker continue that trace.
Null when tracing is off, and for events recorded before this revision.

Revision ID: 0017_outbox_trace
Revises: 0016_redact_links
Create Date: 2026-12-05 00:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_outbox_trace"
down_revision: str | None = "0016_redact_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox_events",
        sa.Column("trace_context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("outbox_events", "trace_context")
