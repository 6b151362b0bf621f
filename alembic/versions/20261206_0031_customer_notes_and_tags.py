"""Staff notes and tags on customers (accounts): `customer_notes` and `customer_tags`;
erasing an account deletes both (ON DELETE CASCADE).

Revision ID: 0031_customer_notes_and_tags
Revises: 0030_promotion_products
Create Date: 2026-12-06 04:00:41.384989+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_customer_notes_and_tags"
down_revision: str | None = "0030_promotion_products"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_notes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "btrim(body) <> '' AND char_length(body) <= 2000",
            name=op.f("customer_notes_body_given_and_short_check"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("customer_notes_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("customer_notes_pkey")),
    )
    op.create_index(
        "customer_notes_user_id_idx", "customer_notes", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "customer_tags",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "tag = lower(btrim(tag)) AND char_length(tag) BETWEEN 1 AND 40",
            name=op.f("customer_tags_tag_normalised_check"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("customer_tags_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "tag", name=op.f("customer_tags_pkey")),
    )
    op.create_index("customer_tags_tag_idx", "customer_tags", ["tag"], unique=False)


def downgrade() -> None:
    op.drop_index("customer_tags_tag_idx", table_name="customer_tags")
    op.drop_table("customer_tags")
    op.drop_index("customer_notes_user_id_idx", table_name="customer_notes")
    op.drop_table("customer_notes")
