"""Stored e-mails keep no usable one-time token: the copies of password-reset, verification,
back-in-stock confirm/cancel and cart reminder e-mails that staff can read (Admin →
Messages) have each `token=…` replaced by `token=[removed]`, as the shop now stores them.

Data only; the tokens are gone for good, so the downgrade changes nothing.

Revision ID: 0016_redact_links
Revises: 0015
Create Date: 2026-12-04 21:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_redact_links"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# backend.notifications.rendering.ONE_TIME_LINKS, as of this revision.
TEMPLATES = ("email_verification", "password_reset", "stock_notice_confirmation", "cart_reminder")
TOKEN_PATTERN = "token=[A-Za-z0-9_.-]+"  # noqa: S105  (a pattern: token_urlsafe and JWT characters)
REDACTED = "token=[removed]"


def upgrade() -> None:
    op.get_bind().execute(
        sa.text(
            """
            UPDATE notifications
               SET body_text = regexp_replace(body_text, :token, :redacted, 'g'),
                   body_html = regexp_replace(body_html, :token, :redacted, 'g')
             WHERE template = ANY(:templates)
               AND (body_text ~ :token OR body_html ~ :token)
            """
        ),
        {"token": TOKEN_PATTERN, "redacted": REDACTED, "templates": list(TEMPLATES)},
    )


def downgrade() -> None:
    """Nothing to undo: the schema is unchanged and removed tokens cannot come back."""
