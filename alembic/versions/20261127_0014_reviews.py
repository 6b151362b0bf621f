"""Reviews and ratings: reviews, helpful votes, and each product's stored rating
(count, star sum, average) with the indexes that sort listings by it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("author_name", sa.String(length=60), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=120), server_default=sa.text("''"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by", sa.UUID(), nullable=True),
        sa.Column("helpful_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR length(rejection_reason) > 0",
            name=op.f("reviews_rejection_has_reason_check"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("reviews_status_known_check")
        ),
        sa.CheckConstraint(
            "helpful_count >= 0", name=op.f("reviews_helpful_count_not_negative_check")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("reviews_rating_in_range_check")),
        sa.ForeignKeyConstraint(
            ["moderated_by"],
            ["users.id"],
            name=op.f("reviews_moderated_by_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("reviews_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("reviews_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("reviews_pkey")),
        sa.UniqueConstraint("product_id", "user_id", name=op.f("reviews_product_id_user_id_key")),
    )
    op.create_index(
        "reviews_product_helpful_idx",
        "reviews",
        ["product_id", "helpful_count", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.create_index(
        "reviews_product_newest_idx",
        "reviews",
        ["product_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.create_index("reviews_status_idx", "reviews", ["status", "submitted_at"], unique=False)
    op.create_table(
        "review_votes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("review_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("review_votes_review_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("review_votes_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("review_votes_pkey")),
        sa.UniqueConstraint(
            "review_id", "user_id", name=op.f("review_votes_review_id_user_id_key")
        ),
    )
    op.create_index("review_votes_user_id_idx", "review_votes", ["user_id"], unique=False)
    op.add_column(
        "products",
        sa.Column("rating_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "products",
        sa.Column("rating_sum", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "products",
        sa.Column(
            "rating_average",
            sa.Numeric(precision=5, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    # The stored rating must add up (the reviews domain recounts it on every decision).
    op.create_check_constraint(
        op.f("products_rating_totals_possible_check"),
        "products",
        "rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count",
    )
    op.create_check_constraint(
        op.f("products_rating_average_matches_check"),
        "products",
        "rating_average = CASE WHEN rating_count = 0 THEN 0 "
        "ELSE round(rating_sum::numeric / rating_count, 4) END",
    )
    op.create_index(
        "products_catalog_rating_idx",
        "products",
        ["rating_average", "rating_count", "id"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )
    op.create_index(
        "products_listing_rating_idx",
        "products",
        ["category_id", "rating_average", "rating_count", "id"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )


def downgrade() -> None:
    op.drop_index(
        "products_listing_rating_idx", table_name="products", postgresql_where=sa.text("is_active")
    )
    op.drop_index(
        "products_catalog_rating_idx", table_name="products", postgresql_where=sa.text("is_active")
    )
    op.drop_constraint(op.f("products_rating_average_matches_check"), "products", type_="check")
    op.drop_constraint(op.f("products_rating_totals_possible_check"), "products", type_="check")
    op.drop_column("products", "rating_average")
    op.drop_column("products", "rating_sum")
    op.drop_column("products", "rating_count")
    op.drop_index("review_votes_user_id_idx", table_name="review_votes")
    op.drop_table("review_votes")
    op.drop_index("reviews_status_idx", table_name="reviews")
    op.drop_index(
        "reviews_product_newest_idx",
        table_name="reviews",
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.drop_index(
        "reviews_product_helpful_idx",
        table_name="reviews",
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.drop_table("reviews")
