"""Tables of the reviews domain: reviews and their helpful votes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key
from backend.reviews.status import REVIEW_STATUSES


class Review(SQLModel, table=True):
    __tablename__ = "reviews"
    __table_args__ = (
        # One review per product per buyer (an edit changes it; it never adds a second).
        UniqueConstraint("product_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_in_range"),
        CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in REVIEW_STATUSES)})", name="status_known"
        ),
        CheckConstraint("helpful_count >= 0", name="helpful_count_not_negative"),
        CheckConstraint(
            "status <> 'rejected' OR length(rejection_reason) > 0", name="rejection_has_reason"
        ),
        # The product page: approved reviews newest first, or most helpful first.
        Index(
            "reviews_product_newest_idx",
            "product_id",
            "created_at",
            "id",
            postgresql_where=text("status = 'approved'"),
        ),
        Index(
            "reviews_product_helpful_idx",
            "product_id",
            "helpful_count",
            "created_at",
            "id",
            postgresql_where=text("status = 'approved'"),
        ),
        # The moderation queue (longest waiting first) and the status filter.
        Index("reviews_status_idx", "status", "submitted_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    # The author; a deleted account leaves its reviews, anonymous (the rating stays true).
    user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    # As shown publicly, fixed when written: "Ada B." (never the e-mail or full surname).
    author_name: str = Field(sa_column=Column(String(60), nullable=False))
    rating: int = Field(sa_column=Column(SmallInteger, nullable=False))
    title: str = Field(
        default="", sa_column=Column(String(120), nullable=False, server_default=text("''"))
    )
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(
        default="pending",
        sa_column=Column(String(10), nullable=False, server_default=text("'pending'")),
    )
    rejection_reason: str | None = Field(default=None, sa_column=Column(String(500)))
    moderated_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    moderated_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    # Kept equal to the number of its votes (recounted under the review's row lock).
    helpful_count: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_at: datetime = created_at_column()
    # When the current text was sent: written, or last edited (then it waits again).
    submitted_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class ReviewVote(SQLModel, table=True):
    """One shopper found one review helpful."""

    __tablename__ = "review_votes"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id"),
        Index("review_votes_user_id_idx", "user_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    review_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    created_at: datetime = created_at_column()
