"""Shapes the reviews domain hands to pages and the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from backend.catalog.ratings import shown_average


@dataclass(frozen=True)
class RatingSummary:
    """A product's approved reviews at a glance; `distribution` maps stars (5…1) to counts."""

    count: int
    total: int  # the sum of the stars
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def average_display(self) -> str:
        """Exact average rounded once to one decimal ("4.3"), "" without reviews."""
        return shown_average(self.total, self.count)


@dataclass(frozen=True)
class PublishedReview:
    """An approved review as every visitor sees it."""

    id: uuid.UUID
    author_name: str
    rating: int
    title: str
    body: str
    helpful_count: int
    created_at: datetime
    edited: bool
    # The size, colour… the author bought ("M / Navy"); "" for products without options.
    variant_bought: str = ""


@dataclass(frozen=True)
class OwnReview:
    """The author's own review, whatever its status, with the moderator's reason."""

    id: uuid.UUID
    product_id: uuid.UUID
    rating: int
    title: str
    body: str
    status: str
    rejection_reason: str
    updated_at: datetime


@dataclass(frozen=True)
class ReviewerStanding:
    """What the viewer may do about reviewing one product, and why not."""

    can_write: bool  # may write a first review now
    refusal: str  # why not, when neither writing nor editing is possible
    own_review: OwnReview | None
    voted_review_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class ModerationItem:
    id: uuid.UUID
    product_id: uuid.UUID
    product_name: str
    product_slug: str
    author_name: str
    rating: int
    title: str
    body: str
    status: str
    rejection_reason: str
    helpful_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ModerationCounts:
    pending: int
    approved: int
    rejected: int
