"""The lifecycle of a review: written (or edited) → pending → approved or rejected.

Staff may approve a pending or rejected review and reject a pending or approved one (a
published review can be taken down); the author's edit sends any review back to pending.
"""

from __future__ import annotations

from enum import StrEnum


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


REVIEW_STATUSES: tuple[str, ...] = tuple(status.value for status in ReviewStatus)

# Decision → the statuses it may be taken from.
DECISIONS_FROM: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.APPROVED: frozenset({ReviewStatus.PENDING, ReviewStatus.REJECTED}),
    ReviewStatus.REJECTED: frozenset({ReviewStatus.PENDING, ReviewStatus.APPROVED}),
}

LABELS: dict[ReviewStatus, str] = {
    ReviewStatus.PENDING: "Waiting for moderation",
    ReviewStatus.APPROVED: "Published",
    ReviewStatus.REJECTED: "Not published",
}
